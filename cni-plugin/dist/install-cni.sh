#!/bin/sh
# Installs the Twill CNI plugin: the twill-cni binary into the CNI bin directory, then 05-twill.conflist into the
# CNI config directory. Each file is written under a temporary name in its destination directory and renamed, so
# a runtime never sees half a file; files already identical are left alone, so running it again changes nothing.
# The binary goes first: a runtime must never find a config whose plugin is missing.
# Used by `make install` and by the DaemonSet's init container.
set -eu

usage() {
    cat <<USAGE
usage: install-cni.sh [--binary FILE] [--conflist FILE] [--bin-dir DIR] [--conf-dir DIR] [--agent-socket PATH]
  --binary FILE        twill-cni to install      (env TWILL_CNI_BINARY; default: next to this script, or ../target/bin/twill-cni)
  --conflist FILE      conflist to install       (env TWILL_CNI_CONFLIST; default: 05-twill.conflist next to this script)
  --bin-dir DIR        CNI plugin directory      (env CNI_BIN_DIR; default /opt/cni/bin)
  --conf-dir DIR       CNI config directory      (env CNI_CONF_DIR; default /etc/cni/net.d)
  --agent-socket PATH  agent socket to write into the conflist (env TWILL_AGENT_SOCKET; default: as in the conflist)
USAGE
}

die() {
    echo "install-cni.sh: $*" >&2
    exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
binary=${TWILL_CNI_BINARY:-}
conflist=${TWILL_CNI_CONFLIST:-$here/05-twill.conflist}
bin_dir=${CNI_BIN_DIR:-/opt/cni/bin}
conf_dir=${CNI_CONF_DIR:-/etc/cni/net.d}
agent_socket=${TWILL_AGENT_SOCKET:-}

while [ $# -gt 0 ]; do
    case $1 in
        --binary) [ $# -ge 2 ] || die "$1 needs a value"; binary=$2; shift 2 ;;
        --conflist) [ $# -ge 2 ] || die "$1 needs a value"; conflist=$2; shift 2 ;;
        --bin-dir) [ $# -ge 2 ] || die "$1 needs a value"; bin_dir=$2; shift 2 ;;
        --conf-dir) [ $# -ge 2 ] || die "$1 needs a value"; conf_dir=$2; shift 2 ;;
        --agent-socket) [ $# -ge 2 ] || die "$1 needs a value"; agent_socket=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

if [ -z "$binary" ]; then
    if [ -x "$here/twill-cni" ]; then binary=$here/twill-cni; else binary=$here/../target/bin/twill-cni; fi
fi
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then
    die "no executable twill-cni at $binary (build it: scripts/mvn -pl cni-plugin install -DskipTests)"
fi
[ -f "$conflist" ] || die "no conflist at $conflist"

tmp_files=""
cleanup() {
    for f in $tmp_files; do rm -f "$f"; done
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# install_file SRC DEST MODE: copy SRC to DEST atomically unless DEST already has the same bytes.
install_file() {
    src=$1 dest=$2 mode=$3
    if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
        echo "unchanged $dest"
        return 0
    fi
    tmp="$(dirname "$dest")/.$(basename "$dest").tmp.$$"
    tmp_files="$tmp_files $tmp"
    cp "$src" "$tmp" || die "cannot write $tmp"
    chmod "$mode" "$tmp"
    if [ "$mode" = 0755 ]; then
        # a binary that cannot run here (wrong architecture, truncated) must not replace a working one
        out=$(env -i CNI_COMMAND=VERSION "$tmp" </dev/null 2>&1) || die "$src does not run: $out"
        case $out in *supportedVersions*) ;; *) die "$src answered VERSION with: $out" ;; esac
    fi
    mv -f "$tmp" "$dest" || die "cannot rename $tmp to $dest"
    echo "installed $dest"
}

# Everything is checked (and the conflist rendered) before anything is installed.
mkdir -p "$bin_dir" "$conf_dir" || die "cannot create $bin_dir or $conf_dir"
if [ -n "$agent_socket" ]; then
    case $agent_socket in
        /*) ;;
        *) die "--agent-socket must be an absolute path, got $agent_socket" ;;
    esac
    backslash=$(printf '\134')
    newline='
'
    case $agent_socket in
        *'"'*|*"$backslash"*|*'|'*|*"$newline"*) die "--agent-socket must not contain quotes, backslashes, '|' or newlines" ;;
    esac
    grep -q '"agentSocket":' "$conflist" || die "$conflist has no agentSocket line to set"
    rendered="$conf_dir/.05-twill.conflist.render.$$"
    tmp_files="$tmp_files $rendered"
    sed "s|\"agentSocket\": *\"[^\"]*\"|\"agentSocket\": \"$agent_socket\"|" "$conflist" >"$rendered" \
        || die "cannot write $rendered"
    conflist=$rendered
fi
install_file "$binary" "$bin_dir/twill-cni" 0755

install_file "$conflist" "$conf_dir/05-twill.conflist" 0644
