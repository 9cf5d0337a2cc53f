#!/usr/bin/python3
"""Runs one nftables command through libnftables (there is no nft binary on
these hosts) and prints its output: the bats suites check berth's table with
`nft.py 'list table ip NAME'` and remove a test daemon's leftovers with
`nft.py 'delete table ip NAME'`. Exit status 1 on an nftables error."""
import ctypes
import sys

lib = ctypes.CDLL("libnftables.so.1")
lib.nft_ctx_new.restype = ctypes.c_void_p
lib.nft_ctx_get_output_buffer.restype = ctypes.c_char_p
lib.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
for f in ("nft_ctx_buffer_output", "nft_ctx_buffer_error", "nft_run_cmd_from_buffer",
          "nft_ctx_get_output_buffer", "nft_ctx_get_error_buffer", "nft_ctx_free"):
    getattr(lib, f).argtypes = [ctypes.c_void_p] + ([ctypes.c_char_p] if f == "nft_run_cmd_from_buffer" else [])
ctx = lib.nft_ctx_new(0)
lib.nft_ctx_buffer_output(ctx)
lib.nft_ctx_buffer_error(ctx)
rc = lib.nft_run_cmd_from_buffer(ctx, " ".join(sys.argv[1:]).encode())
sys.stdout.write((lib.nft_ctx_get_output_buffer(ctx) or b"").decode())
sys.stderr.write((lib.nft_ctx_get_error_buffer(ctx) or b"").decode())
lib.nft_ctx_free(ctx)
sys.exit(1 if rc else 0)
