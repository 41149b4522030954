#!/usr/bin/env bash
# Builds the twill/agent and twill/operator images from this repository with Docker (BuildKit, the default builder
# since Docker 23, which also reads deploy/docker/<name>.Dockerfile.dockerignore to keep the context small).
# Runs the Maven build first when its outputs are missing.
#
# Environment:
#   AGENT_IMAGE     tag of the agent image     (default twill/agent:dev; deploy/kubernetes/agent.yaml names it)
#   OPERATOR_IMAGE  tag of the operator image  (default twill/operator:dev; deploy/kubernetes/operator.yaml names it)
#   BUILD           auto: run Maven when an output is missing (default); always; never
#   DOCKER          the docker CLI             (default docker)
# The Maven build needs what `make build` needs: JDK 25, clang, libbpf-dev and musl-tools (see scripts/deps.sh).
set -euo pipefail

AGENT_IMAGE=${AGENT_IMAGE:-twill/agent:dev}
OPERATOR_IMAGE=${OPERATOR_IMAGE:-twill/operator:dev}
BUILD=${BUILD:-auto}
DOCKER=${DOCKER:-docker}

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

log() { echo "build-images.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# The project's own version is the only <version> indented by two spaces in the root pom.
version=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -n 1)
[[ -n $version ]] || die "cannot read the project version from pom.xml"

outputs=(
    "agent/target/twill-agent-$version.jar" agent/target/lib
    "operator/target/twill-operator-$version.jar" operator/target/lib
    cni-plugin/target/bin/twill-cni
)
missing=()
for f in "${outputs[@]}"; do
    [[ -e $f ]] || missing+=("$f")
done

case $BUILD in
    always) run_maven=1 ;;
    auto) run_maven=$(( ${#missing[@]} > 0 )) ;;
    never)
        run_maven=0
        (( ${#missing[@]} == 0 )) || die "BUILD=never but the Maven build has not produced: ${missing[*]}"
        ;;
    *) die "BUILD must be auto, always or never, not '$BUILD'" ;;
esac
if (( run_maven )); then
    log "Maven build of the agent and operator (missing: ${missing[*]:-none; BUILD=always})"
    scripts/mvn -pl agent,operator -am install -DskipTests
    for f in "${outputs[@]}"; do
        [[ -e $f ]] || die "the Maven build did not produce $f"
    done
fi

command -v "$DOCKER" >/dev/null || die "'$DOCKER' not found: building images needs Docker"

build_image() { # TAG DOCKERFILE
    log "building $1 from $2 (Twill $version)"
    "$DOCKER" build --build-arg "TWILL_VERSION=$version" -f "$2" -t "$1" .
}
build_image "$AGENT_IMAGE" deploy/docker/agent.Dockerfile
build_image "$OPERATOR_IMAGE" deploy/docker/operator.Dockerfile
log "built $AGENT_IMAGE and $OPERATOR_IMAGE"
