# twill/agent: the node agent, twillctl, and the CNI plugin files its init container installs on the node.
# Build from the repository root after the Maven build (ci/kind/build-images.sh does both):
#   docker build -f deploy/docker/agent.Dockerfile --build-arg TWILL_VERSION=<project version> -t twill/agent:dev .
#
# Base: Debian 12 with the Temurin 25 JRE copied in, rather than eclipse-temurin:25-jre itself (Ubuntu 24.04): Debian 12
# ships libbpf1 1.1.2, the libbpf the FFM bindings and every privileged test are run against, and a real bpftool
# (Ubuntu's is a wrapper that wants the linux-tools package of the running kernel).
ARG JRE_IMAGE=eclipse-temurin:25-jre
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${JRE_IMAGE} AS jre

FROM ${BASE_IMAGE}
ARG TWILL_VERSION
# libbpf1: loaded by the agent through FFM. iproute2 and bpftool: for people debugging with `kubectl exec`
# (the agent itself starts no processes).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libbpf1 iproute2 bpftool \
    && rm -rf /var/lib/apt/lists/*
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
# The runtime classpath first (changes least often), then the agent's own jar.
COPY agent/target/lib/ /opt/twill/lib/
COPY agent/target/twill-agent-${TWILL_VERSION}.jar /opt/twill/lib/
# For the init container: install-cni.sh copies the static shim and the conflist onto the node.
COPY cni-plugin/target/bin/twill-cni cni-plugin/dist/05-twill.conflist cni-plugin/dist/install-cni.sh /opt/twill/cni/
COPY deploy/docker/twill-agent /usr/local/bin/
# twillctl is the agent module's own launcher; it finds the jars through TWILL_LIB and Java through JAVA_HOME.
COPY agent/src/main/dist/twillctl /usr/local/bin/
ENV TWILL_LIB=/opt/twill/lib
# Fails the build, not the pod, when a piece is missing or the JRE cannot run here.
RUN test -n "${TWILL_VERSION}" \
    && test -x /opt/twill/cni/twill-cni && test -x /opt/twill/cni/install-cni.sh \
    && test -f /opt/twill/lib/twill-bpf-src-${TWILL_VERSION}.jar \
    && java -version \
    && twill-agent --help >/dev/null \
    && twillctl --help >/dev/null
ENTRYPOINT ["/usr/local/bin/twill-agent"]
