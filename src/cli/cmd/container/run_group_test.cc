// Unit tests for the run group: flags → create body (against bodies the
// docker 20.10 CLI sent to a recording fake daemon), value parsers and
// docker's errors, detach keys and the escape-sequence detector.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "base/strings.h"
#include "cli/cmd/container/create_opts.h"
#include "cli/cmd/container/create_parse.h"
#include "cli/cmd/container/attach_io.h"
#include "cli/cmd/container/term.h"

namespace berth::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/cli-container-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)!std::system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }
  void Write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ + "/" + name) << content;
  }

 private:
  std::string path_;
};

EnvLookup FakeEnv() {
  return [](const std::string& k) -> std::optional<std::string> {
    static const std::map<std::string, std::string> kEnv = {{"FOO_FROM_ENV", "bar"}};
    auto it = kEnv.find(k);
    if (it == kEnv.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> Words(std::string s, const std::string& dir) {
  for (size_t p; (p = s.find("{dir}")) != std::string::npos;) s.replace(p, 5, dir);
  std::vector<std::string> out;
  for (auto& w : str::Split(s, ' '))
    if (!w.empty()) out.push_back(w);
  return out;
}

// Parses `create ARGS` as the command does; the body or the error text.
Result<std::string> Body(const std::vector<std::string>& args) {
  FlagSet flags;
  ContainerOptions o;
  AddContainerFlags(flags, &o, FakeEnv());
  auto pos = BERTH_TRY(flags.Parse(args, /*interspersed=*/false));
  if (pos.empty()) return Error::Invalid("no image");
  o.image = pos[0];
  o.args.assign(pos.begin() + 1, pos.end());
  auto cc = BERTH_TRY(ParseContainerOptions(flags, o, FakeEnv()));
  return cc.body.dump();
}

struct BodyCase {
  const char* args;
  const char* docker_body;  // what docker 20.10 sent for the same flags
};

const BodyCase kBodyCases[] = {
    {R"(busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(-i -t --name web -e X=1 -e FOO_FROM_ENV -e NOPE_UNSET --env-file {dir}/envfile -w /tmp -u 1000:1000 --entrypoint= -l a=b -l c --label-file {dir}/labelfile -h myhost --restart on-failure:3 --init --stop-signal SIGUSR1 --stop-timeout 7 busybox sh -c hi)",
     R"({"Hostname":"myhost","Domainname":"","User":"1000:1000","AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Tty":true,"OpenStdin":true,"StdinOnce":true,"Env":["A=1","C=x y","X=1","FOO_FROM_ENV=bar","NOPE_UNSET"],"Cmd":["sh","-c","hi"],"Image":"busybox","Volumes":{},"WorkingDir":"/tmp","Entrypoint":[""],"OnBuild":null,"Labels":{"a":"b","c":"","l1":"a"},"StopSignal":"SIGUSR1","StopTimeout":7,"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null,"Init":true},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(-m 64m --memory-swap 128m --memory-reservation 32m --cpus 1.5 -c 512 --cpu-period 100000 --cpu-quota 50000 --cpuset-cpus 0-1 --cpuset-mems 0 --pids-limit 100 --ulimit nofile=1024:2048 --ulimit nproc=10 --device /dev/null:/dev/xnull:rw --device /dev/zero --tmpfs /run --tmpfs /tmp:rw,size=64m busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"Tmpfs":{"/run":"","/tmp":"rw,size=64m"},"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":512,"Memory":67108864,"NanoCpus":1500000000,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":100000,"CpuQuota":50000,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"0-1","CpusetMems":"0","Devices":[{"PathOnHost":"/dev/null","PathInContainer":"/dev/xnull","CgroupPermissions":"rw"},{"PathOnHost":"/dev/zero","PathInContainer":"/dev/zero","CgroupPermissions":"rwm"}],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":33554432,"MemorySwap":134217728,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":100,"Ulimits":[{"Name":"nofile","Hard":2048,"Soft":1024},{"Name":"nproc","Hard":10,"Soft":10}],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(--privileged --cap-add NET_ADMIN --cap-drop ALL --security-opt seccomp={dir}/seccomp.json --security-opt no-new-privileges --security-opt apparmor=unconfined --read-only --add-host h1:1.2.3.4 --dns 8.8.8.8 --dns-search example.com --dns-option ndots:2 --network host busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"host","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":["NET_ADMIN"],"CapDrop":["ALL"],"CgroupnsMode":"","Dns":["8.8.8.8"],"DnsOptions":["ndots:2"],"DnsSearch":["example.com"],"ExtraHosts":["h1:1.2.3.4"],"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":true,"PublishAllPorts":false,"ReadonlyRootfs":true,"SecurityOpt":["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}","no-new-privileges","apparmor=unconfined"],"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(-p 8080:80 -p 127.0.0.1:9000:9000/udp -p 3000-3001:4000-4001 -p 53 -p 8000-8010:81 -P --expose 7000 --expose 7100-7101/udp --link other:alias -v /host:/ctr:ro -v /anon -v named:/data --mount type=bind,source=/src,target=/dst,readonly --mount type=tmpfs,destination=/t,tmpfs-size=1000 --mount type=volume,src=vol,dst=/v,volume-label=x=y,volume-nocopy --volumes-from c1:ro --ip 10.0.0.5 --mac-address 02:42:ac:11:00:02 --group-add audio --shm-size 128m --oom-kill-disable --oom-score-adj 100 busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"ExposedPorts":{"4000/tcp":{},"4001/tcp":{},"53/tcp":{},"7000/tcp":{},"7100/udp":{},"7101/udp":{},"80/tcp":{},"81/tcp":{},"9000/udp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{"/anon":{}},"WorkingDir":"","Entrypoint":null,"MacAddress":"02:42:ac:11:00:02","OnBuild":null,"Labels":{},"HostConfig":{"Binds":["/host:/ctr:ro","named:/data"],"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{"4000/tcp":[{"HostIp":"","HostPort":"3000"}],"4001/tcp":[{"HostIp":"","HostPort":"3001"}],"53/tcp":[{"HostIp":"","HostPort":""}],"80/tcp":[{"HostIp":"","HostPort":"8080"}],"81/tcp":[{"HostIp":"","HostPort":"8000-8010"}],"9000/udp":[{"HostIp":"127.0.0.1","HostPort":"9000"}]},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":["c1:ro"],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":["audio"],"IpcMode":"","Cgroup":"","Links":["other:alias"],"OomScoreAdj":100,"PidMode":"","Privileged":false,"PublishAllPorts":true,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":134217728,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":true,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"Mounts":[{"Type":"bind","Source":"/src","Target":"/dst","ReadOnly":true},{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1000}},{"Type":"volume","Source":"vol","Target":"/v","VolumeOptions":{"NoCopy":true,"Labels":{"x":"y"},"DriverConfig":{}}}],"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(--health-cmd true --health-interval 5s --health-timeout 1m30s --health-retries 3 --health-start-period 500ms --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 --ipc host --pid host --uts host --userns host --sysctl net.ipv4.ip_forward=1 --isolation default busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":5000000000,"Timeout":90000000000,"StartPeriod":500000000,"Retries":3},"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"json-file","Config":{"max-file":"3","max-size":"10m"}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"host","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"host","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"host","UsernsMode":"host","ShmSize":0,"Sysctls":{"net.ipv4.ip_forward":"1"},"ConsoleSize":[0,0],"Isolation":"default","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(--no-healthcheck -a stdout -a STDERR --entrypoint /bin/sh busybox echo a b)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["echo","a","b"],"Healthcheck":{"Test":["NONE"]},"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":["/bin/sh"],"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(-a stdin busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":true,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(--network none busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"none","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(--network mynet --ip 10.1.0.2 busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"mynet","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{"mynet":{"IPAMConfig":{"IPv4Address":"10.1.0.2"},"Links":null,"Aliases":null,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"","DriverOpts":null}}}})"},
    {R"(-i busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":true,"StdinOnce":true,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(--rm -i -t busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Tty":true,"OpenStdin":true,"StdinOnce":true,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":true,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}})"},
    {R"(--security-opt systempaths=unconfined --security-opt seccomp=unconfined --pid container:abc --memory-swap -1 --cpus 0.5 --mount type=bind,src=/a,dst=/b,bind-propagation=rshared busybox)",
     R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"container:abc","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":["seccomp=unconfined"],"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":500000000,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":-1,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"Mounts":[{"Type":"bind","Source":"/a","Target":"/b","BindOptions":{"Propagation":"rshared"}}],"MaskedPaths":[],"ReadonlyPaths":[]},"NetworkingConfig":{"EndpointsConfig":{}}})"},
};

TEST(CreateBody, MatchesDocker) {
  TempDir dir;
  dir.Write("envfile", "A=1\n# comment\n\nB\nC=x y\n");
  dir.Write("labelfile", "l1=a\nl2\n");
  dir.Write("seccomp.json", "{ \"defaultAction\": \"SCMP_ACT_ALLOW\" ,  \"syscalls\": [] }\n");
  for (const auto& c : kBodyCases) {
    auto body = Body(Words(c.args, dir.path()));
    ASSERT_TRUE(body.ok()) << c.args << ": " << body.error().message();
    EXPECT_EQ(*body, c.docker_body) << c.args;
  }
}

struct ErrorCase {
  const char* args;
  const char* message;
};

TEST(CreateBody, DockerErrors) {
  const ErrorCase kCases[] = {
      {"--rm --restart always busybox", "Conflicting options: --restart and --rm"},
      {"-m foo busybox", "invalid argument \"foo\" for \"-m, --memory\" flag: invalid size: 'foo'"},
      {"--pid x busybox", "--pid: invalid PID mode"},
      {"--uts x busybox", "--uts: invalid UTS mode"},
      {"--userns x busybox", "--userns: invalid USER mode"},
      {"--add-host foo busybox",
       "invalid argument \"foo\" for \"--add-host\" flag: bad format for add-host: \"foo\""},
      {"-a foo busybox",
       "invalid argument \"foo\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR"},
      {"--security-opt foo busybox", "Invalid --security-opt: \"foo\""},
      {"-p abc busybox", "Invalid containerPort: abc"},
      {"-p 1-2:3-5 busybox", "Invalid ranges specified for container and host Ports: 3-5 and 1-2"},
      {"-p 80/xyz busybox", "Invalid proto: xyz"},
      {"--expose 1:2 busybox", "invalid port format for --expose: 1:2"},
      {"--env-file /nonexistent/x busybox", "open /nonexistent/x: no such file or directory"},
      {"--cpus abc busybox",
       "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number"},
      {"--health-interval 5 busybox",
       "invalid argument \"5\" for \"--health-interval\" flag: time: missing unit in duration \"5\""},
      {"--no-healthcheck --health-cmd x busybox", "--no-healthcheck conflicts with --health-* options"},
      {"--ulimit foo=1 busybox", "invalid argument \"foo=1\" for \"--ulimit\" flag: invalid ulimit type: foo"},
      {"--ulimit nofile=10:5 busybox",
       "invalid argument \"nofile=10:5\" for \"--ulimit\" flag: ulimit soft limit must be less than or "
       "equal to hard limit: 10 > 5"},
      {"--mount type=bind busybox",
       "invalid argument \"type=bind\" for \"--mount\" flag: target is required"},
      {"--mount type=tmpfs,dst=/x,volume-nocopy busybox",
       "invalid argument \"type=tmpfs,dst=/x,volume-nocopy\" for \"--mount\" flag: cannot mix "
       "'volume-*' options with mount type 'tmpfs'"},
      {"--device relative busybox", "relative is not an absolute path"},
      {"--mac-address 12:34 busybox", "12:34 is not a valid mac address"},
      {"--restart on-failure:x busybox", "maximum retry count must be an integer"},
      {"--log-driver none --log-opt a=b busybox", "invalid logging opts for driver none"},
      {"--sysctl kernel.foo=1 busybox",
       "invalid argument \"kernel.foo=1\" for \"--sysctl\" flag: sysctl 'kernel.foo=1' is not whitelisted"},
      {"--dns x busybox", "invalid argument \"x\" for \"--dns\" flag: x is not an ip address"},
      {"--network a --network host busybox",
       "conflicting options: cannot attach both user-defined and non-user-defined network-modes"},
  };
  for (const auto& c : kCases) {
    auto body = Body(Words(c.args, ""));
    ASSERT_FALSE(body.ok()) << c.args;
    EXPECT_EQ(body.error().message(), c.message) << c.args;
  }
}

TEST(CreateParse, Sizes) {
  EXPECT_EQ(*RamInBytes("64m"), 64 << 20);
  EXPECT_EQ(*RamInBytes("1.5g"), int64_t{3} << 29);
  EXPECT_EQ(*RamInBytes("100"), 100);
  EXPECT_EQ(*RamInBytes("10 KiB"), 10240);
  EXPECT_FALSE(RamInBytes("1x").ok());
  EXPECT_FALSE(RamInBytes("").ok());
  EXPECT_EQ(*MemSwapBytes("-1"), -1);
  EXPECT_EQ(*NanoCpus("1.5"), 1500000000);
  EXPECT_EQ(*NanoCpus("0.000000001"), 1);
  EXPECT_EQ(NanoCpus("0.0000000001").error().message(), "value is too precise");
}

TEST(CreateParse, Durations) {
  EXPECT_EQ(*GoDuration("1m30s"), int64_t{90} * 1000000000);
  EXPECT_EQ(*GoDuration("500ms"), 500000000);
  EXPECT_EQ(*GoDuration("1.5h"), int64_t{5400} * 1000000000);
  EXPECT_EQ(*GoDuration("0"), 0);
  EXPECT_EQ(GoDuration("x").error().message(), "time: invalid duration \"x\"");
  EXPECT_EQ(GoDuration("3d").error().message(), "time: unknown unit \"d\" in duration \"3d\"");
}

TEST(CreateParse, Ports) {
  auto m = *ParsePortSpec("[::1]:8080:80/udp");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].port, "80/udp");
  EXPECT_EQ(m[0].host_ip, "::1");
  EXPECT_EQ(m[0].host_port, "8080");
  auto r = *ParsePortSpec("8000-8010:81");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].host_port, "8000-8010");
  EXPECT_EQ(*StandardPortNotation("published=8080,target=80"), "8080:80/tcp");
}

TEST(CreateParse, KvFile) {
  TempDir dir;
  dir.Write("f", "\xef\xbb\xbf  A=1 \nB\nFOO_FROM_ENV\n#x\n");
  auto lines = *ReadKvFile(dir.path() + "/f", FakeEnv());
  EXPECT_EQ(lines, (std::vector<std::string>{"A=1 ", "FOO_FROM_ENV=bar"}));
  dir.Write("bad", "A B=1\n");
  EXPECT_EQ(ReadKvFile(dir.path() + "/bad", FakeEnv()).error().message(),
            "poorly formatted environment: variable 'A B' contains whitespaces");
}

TEST(CreateParse, CompactJson) {
  EXPECT_EQ(*CompactJson("{ \"a\" : [1, 2],\n \"b\": \"x y\" }"), "{\"a\":[1,2],\"b\":\"x y\"}");
  EXPECT_FALSE(CompactJson("{").ok());
}

TEST(DetachKeys, Parse) {
  EXPECT_EQ(*ParseDetachKeys("ctrl-p,ctrl-q"), std::string("\x10\x11"));
  EXPECT_EQ(*ParseDetachKeys("ctrl-@"), std::string(1, '\0'));
  EXPECT_EQ(*ParseDetachKeys("a,ctrl-z,ctrl-_"), std::string("a\x1a\x1f"));
  EXPECT_EQ(*ParseDetachKeys("ctrl-[,ctrl-\\,ctrl-]"), std::string("\x1b\x1c\x1d"));
  EXPECT_EQ(ParseDetachKeys("ctrl-xx").error().message(), "Unknown character: 'ctrl-xx'");
  EXPECT_EQ(ParseDetachKeys("ctrl-P").error().message(), "Unknown character: 'ctrl-P'");
  EXPECT_EQ(ParseDetachKeys("ab").error().message(), "Unknown character: 'ab'");
  EXPECT_EQ(DetachKeysOrDefault(""), std::string("\x10\x11"));
  EXPECT_EQ(DetachKeysOrDefault("bogus"), std::string("\x10\x11"));
  EXPECT_EQ(DetachKeysOrDefault("ctrl-a"), std::string("\x01"));
}

TEST(EscapeDetector, FindsTheSequence) {
  EscapeDetector d("\x10\x11");
  std::string fwd;
  EXPECT_FALSE(d.Feed("ls\r", &fwd));
  EXPECT_EQ(fwd, "ls\r");
  fwd.clear();
  EXPECT_FALSE(d.Feed("\x10", &fwd));  // held back: may be the start
  EXPECT_EQ(fwd, "");
  EXPECT_EQ(d.Pending(), "\x10");
  EXPECT_TRUE(d.Feed("\x11" "after", &fwd));
  EXPECT_EQ(fwd, "");
}

TEST(EscapeDetector, PassesFalseStarts) {
  EscapeDetector d("\x10\x11");
  std::string fwd;
  EXPECT_FALSE(d.Feed("a\x10" "b\x10\x10", &fwd));
  EXPECT_EQ(fwd, "a\x10" "b\x10");
  EXPECT_TRUE(d.Feed("\x11", &fwd));
  EXPECT_EQ(fwd, "a\x10" "b\x10");
}

TEST(EscapeDetector, OverlappingSequence) {
  EscapeDetector d("aab");
  std::string fwd;
  EXPECT_TRUE(d.Feed("xaaab", &fwd));
  EXPECT_EQ(fwd, "xa");
  EscapeDetector single("q");
  fwd.clear();
  EXPECT_TRUE(single.Feed("xyq", &fwd));
  EXPECT_EQ(fwd, "xy");
}

// StreamIo against a socketpair standing in for the hijacked connection.
struct IoRig {
  int peer = -1;
  std::unique_ptr<http::Stream> conn;
  int in_w = -1, in_r = -1, out_r = -1, out_w = -1, err_r = -1, err_w = -1;
  IoRig() {
    int sv[2], in[2], out[2], err[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
    peer = sv[1];
    conn = http::MakeSocketStream(sv[0], "", unique_fd(sv[0]));
    in_r = in[0], in_w = in[1], out_r = out[0], out_w = out[1], err_r = err[0], err_w = err[1];
  }
  ~IoRig() {
    for (int fd : {peer, in_w, in_r, out_r, out_w, err_r, err_w})
      if (fd >= 0) ::close(fd);
  }
  static std::string ReadAll(int fd) {
    std::string s;
    char b[4096];
    for (ssize_t n; (n = ::read(fd, b, sizeof b)) > 0;) s.append(b, static_cast<size_t>(n));
    return s;
  }
  static std::string Frame(char stream, const std::string& p) {
    std::string h = {stream, 0, 0, 0, 0, 0, 0, static_cast<char>(p.size())};
    return h + p;
  }
};

TEST(StreamIo, DemuxesAndHalfClosesStdin) {
  IoRig r;
  ASSERT_EQ(::write(r.in_w, "hello", 5), 5);
  ::close(r.in_w);
  r.in_w = -1;
  std::string got_in;
  std::thread peer([&] {
    got_in = IoRig::ReadAll(r.peer);  // ends at the CLI's half-close
    std::string frames = IoRig::Frame(1, "out\n") + IoRig::Frame(2, "err\n") + IoRig::Frame(1, "more");
    ASSERT_EQ(::write(r.peer, frames.data(), frames.size()), static_cast<ssize_t>(frames.size()));
    ::shutdown(r.peer, SHUT_WR);
  });
  IoOptions o;
  o.in_fd = r.in_r;
  o.out_fd = r.out_w;
  o.err_fd = r.err_w;
  auto end = StreamIo(*r.conn, o);
  peer.join();
  ASSERT_TRUE(end.ok()) << end.error().message();
  EXPECT_EQ(*end, IoEnd::kDone);
  EXPECT_EQ(got_in, "hello");
  ::close(r.out_w);
  ::close(r.err_w);
  r.out_w = r.err_w = -1;
  EXPECT_EQ(IoRig::ReadAll(r.out_r), "out\nmore");
  EXPECT_EQ(IoRig::ReadAll(r.err_r), "err\n");
}

TEST(StreamIo, TtyDetachSequence) {
  IoRig r;
  std::string typed = std::string("ls\x10") + "x" + "\x10\x11" + "after";
  ASSERT_EQ(::write(r.in_w, typed.data(), typed.size()), static_cast<ssize_t>(typed.size()));
  IoOptions o;
  o.tty = true;
  o.in_fd = r.in_r;
  o.out_fd = r.out_w;
  o.detach_keys = "\x10\x11";
  auto end = StreamIo(*r.conn, o);  // the peer never closes: only the detach ends it
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, IoEnd::kDetached);
  r.conn.reset();  // the CLI drops the connection after a detach
  EXPECT_EQ(IoRig::ReadAll(r.peer), std::string("ls\x10") + "x");
}

}  // namespace
}  // namespace berth::cli
