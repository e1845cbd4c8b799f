#!/usr/bin/env bash
# A real one-node SLURM cluster on this machine, for `make cluster-test`.
#
#   tools/cluster/slurm.sh start   install slurm + munge with apt when missing, write
#                                  /etc/slurm/slurm.conf (an existing one is backed up),
#                                  start munged, slurmctld and slurmd, wait for the node
#   tools/cluster/slurm.sh stop    cancel our jobs, stop the daemons this script started,
#                                  restore the backed-up slurm.conf
#   tools/cluster/slurm.sh status  sinfo / squeue
#
# Everything binds to 127.0.0.1. No slurmdbd: accounting is off, so Snakemake's SLURM plugin
# must be run with `--slurm-status-command squeue` (sacct fails without accounting), and
# MinJobAge (300 s) stays far above 3 x the plugin's initial status delay, or the plugin
# switches back to sacct. The config must be /etc/slurm/slurm.conf: the plugin's job step
# drops SLURM_CONF from the job's environment. State, logs and pid files live in
# $CLUSTER_DIR (default /tmp/mnist-fooling-slurm).
set -euo pipefail

CLUSTER_DIR=${CLUSTER_DIR:-/tmp/mnist-fooling-slurm}
export PATH=$PATH:/usr/sbin:/sbin
CONF=/etc/slurm/slurm.conf
NODE=mnistnode
PACKAGES=(slurmctld slurmd slurm-client munge)

die() {
    echo "slurm.sh: $*" >&2
    exit 2
}

install_missing() {
    local missing=()
    for bin in slurmctld slurmd sbatch squeue munged; do
        command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install ${PACKAGES[*]}"
    echo "slurm.sh: installing ${PACKAGES[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
}

write_conf() {
    local cpus mem
    cpus=$(nproc)
    # RealMemory a little under the machine's, so slurmd never reports less than configured.
    mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    mkdir -p /etc/slurm "$CLUSTER_DIR"/{state,spool,log}
    if [ -e "$CONF" ] && [ ! -e "$CLUSTER_DIR/slurm.conf.backup" ]; then
        cp -p "$CONF" "$CLUSTER_DIR/slurm.conf.backup"
    fi
    cat >"$CONF" <<EOF
# Written by tools/cluster/slurm.sh (mnist-fooling cluster test); restored on stop.
ClusterName=mnistfooling
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$CLUSTER_DIR/state
SlurmdSpoolDir=$CLUSTER_DIR/spool
SlurmctldPidFile=$CLUSTER_DIR/slurmctld.pid
SlurmdPidFile=$CLUSTER_DIR/slurmd.pid
SlurmctldLogFile=$CLUSTER_DIR/log/slurmctld.log
SlurmdLogFile=$CLUSTER_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=300
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
MpiDefault=none
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$(hostname -s) CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        echo "slurm.sh: munged already running; using it"
        return 0
    fi
    [ -s /etc/munge/munge.key ] || {
        mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null ||
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    }
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
    cp /run/munge/munged.pid "$CLUSTER_DIR/munged.pid"
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "munged did not start (see /var/log/munge/munged.log)"
}

start() {
    install_missing
    if [ -s "$CLUSTER_DIR/slurmctld.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/slurmctld.pid")" 2>/dev/null; then
        die "a cluster from $CLUSTER_DIR is already running (tools/cluster/slurm.sh stop)"
    fi
    rm -rf "$CLUSTER_DIR"/state "$CLUSTER_DIR"/spool "$CLUSTER_DIR"/log
    write_conf
    start_munge
    slurmctld -i
    slurmd -N "$NODE"
    for _ in $(seq 100); do
        state=$(sinfo -h -n "$NODE" -o %t 2>/dev/null || true)
        case $state in idle*)
            echo "slurm.sh: one-node cluster up ($(nproc) CPUs, node $NODE at 127.0.0.1, state in $CLUSTER_DIR)"
            return 0
            ;;
        esac
        sleep 0.2
    done
    tail -n 20 "$CLUSTER_DIR"/log/*.log >&2 || true
    die "node $NODE did not come up (state '${state:-none}'); logs in $CLUSTER_DIR/log"
}

stop_pid() { # name, pid file: stop the process we started, wait for it to go
    local pid
    [ -s "$2" ] || return 0
    pid=$(cat "$2")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$2"
}

stop() {
    if [ -s "$CLUSTER_DIR/slurmctld.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/slurmctld.pid")" 2>/dev/null; then
        scancel --full --partition=debug 2>/dev/null || true
    fi
    stop_pid slurmd "$CLUSTER_DIR/slurmd.pid"
    stop_pid slurmctld "$CLUSTER_DIR/slurmctld.pid"
    stop_pid munged "$CLUSTER_DIR/munged.pid"
    if [ -e "$CLUSTER_DIR/slurm.conf.backup" ]; then
        mv -f "$CLUSTER_DIR/slurm.conf.backup" "$CONF"
    elif [ -e "$CONF" ] && head -n 1 "$CONF" | grep -q "tools/cluster/slurm.sh"; then
        rm -f "$CONF"
    fi
    echo "slurm.sh: cluster stopped"
}

# The daemons, /etc/slurm and the packages need root: through sudo when it asks no password.
if [ "$(id -u)" -ne 0 ] && { [ "${1:-}" = start ] || [ "${1:-}" = stop ]; }; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
        die "needs root (or sudo without a password) to $1 the cluster"
    exec sudo -n env PATH="$PATH" CLUSTER_DIR="$CLUSTER_DIR" "$0" "$@"
fi

case ${1:-} in
start) start ;;
stop) stop ;;
status)
    sinfo
    squeue
    ;;
*) die "usage: tools/cluster/slurm.sh start|stop|status" ;;
esac
