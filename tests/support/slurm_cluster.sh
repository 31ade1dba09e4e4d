#!/usr/bin/env bash
# A Slurm cluster on 127.0.0.1 for the tests: munged with its own key and
# socket, slurmctld, and NODES slurmd daemons (`slurmd -N nodeN`, each on its
# own port), all under DIR and stopped by `stop DIR`. As root (slurmd runs
# the jobs as their submitter). Tuned for quick hand-offs: the scheduler
# runs on every event, and a job's dependents start within a second.
#   slurm_cluster.sh start DIR [NODES] [PORT_BASE]   prints the environment to source
#   slurm_cluster.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop} dir=${2:?DIR}
nodes=${3:-3} base=${4:-26800}

stop() {
  for f in "$dir"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null || true
  done
  for f in "$dir"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
mkdir -p "$dir"/{run,log,spool,state,munge}
chmod 700 "$dir/munge"
for i in $(seq "$nodes"); do mkdir -p "$dir/spool/node$i"; done
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --socket="$dir/munge/socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/run/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" --force

cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / nodes / 2 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=sparkc-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SchedulerParameters=defer_batch=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=300
KillWait=2
InactiveLimit=0
MessageTimeout=5
SlurmctldTimeout=30
SlurmdTimeout=30
PlugStackConfig=/dev/null
GresTypes=gpu
CONF
# node1 has one GPU (on /dev/null: nothing here binds a device), so
# that `--gres=gpu:1` and the `gpu` partition place a job on it.
for i in $(seq "$nodes"); do
  gres=""
  [ "$i" = 1 ] && gres=" Gres=gpu:1"
  echo "NodeName=node$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((base + 1 + i)) CPUs=$cpus RealMemory=$mem$gres State=UNKNOWN" >> "$dir/slurm.conf"
done
echo "NodeName=node1 Name=gpu File=/dev/null" > "$dir/gres.conf"
echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES" >> "$dir/slurm.conf"
echo "PartitionName=gpu Nodes=node1 MaxTime=INFINITE State=UP" >> "$dir/slurm.conf"

export SLURM_CONF="$dir/slurm.conf"
slurmctld -c -i -f "$SLURM_CONF" >> "$dir/log/slurmctld.out" 2>&1
for i in $(seq "$nodes"); do
  slurmd -N "node$i" -f "$SLURM_CONF" >> "$dir/log/slurmd-node$i.out" 2>&1
done
for _ in $(seq 150); do
  idle=$(sinfo -h -p debug -t idle -o '%D' 2>/dev/null | head -1)
  [ "${idle:-0}" = "$nodes" ] && { echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.2
done
echo "slurm_cluster: the $nodes nodes did not become idle; see $dir/log" >&2
sinfo >&2 || true
exit 1
