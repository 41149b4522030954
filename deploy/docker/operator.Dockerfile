# twill/operator: cluster-pool IPAM and TwillNode garbage collection.
# Build from the repository root after the Maven build (ci/kind/build-images.sh does both):
#   docker build -f deploy/docker/operator.Dockerfile --build-arg TWILL_VERSION=<project version> -t twill/operator:dev .
#
# Same base as the agent image (Debian 12 + the Temurin 25 JRE), so the two share their lower layers.
ARG JRE_IMAGE=eclipse-temurin:25-jre
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${JRE_IMAGE} AS jre

FROM ${BASE_IMAGE}
ARG TWILL_VERSION
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH=/opt/java/openjdk/bin:$PATH
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
COPY operator/target/lib/ /opt/twill/lib/
COPY operator/target/twill-operator-${TWILL_VERSION}.jar /opt/twill/lib/
COPY deploy/docker/twill-operator /usr/local/bin/
RUN test -n "${TWILL_VERSION}" && java -version && twill-operator --help >/dev/null
# Runs as an unprivileged user (the Deployment also says runAsNonRoot).
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/twill-operator"]
