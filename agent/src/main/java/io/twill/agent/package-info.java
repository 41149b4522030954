/**
 * The Twill node agent ({@code twill-agent}): {@link io.twill.agent.Main} reads the configuration and runs an
 * {@link io.twill.agent.Agent}, the composition root.
 *
 * <h2>Configuration</h2>
 * One immutable {@link io.twill.agent.config.AgentConfig} record tree, from (lowest to highest precedence) the
 * defaults in the records' constructors, a YAML or JSON file ({@code --config}, {@code TWILL_CONFIG}), environment
 * variables ({@code TWILL_<FLAG>}, e.g. {@code TWILL_NODE_NAME}) and flags ({@code --node-name}). Unknown file keys and
 * flags fail naming the key; {@code twill-agent --help} lists every flag with its variable and key.
 *
 * <h2>Start-up, in order</h2>
 * preflight (capabilities, libbpf, BTF) → metrics server ({@code /healthz} says what start-up is doing) → a bpffs
 * under the pin root (mounted with mount(2) when missing) → node setup (uplink, node IP, MTU, {@code ip_forward},
 * {@code rp_filter}, {@code twill_vxlan} in overlay mode) → the datapath loaded with pinned maps adopted, attached to
 * the uplink and {@code twill_vxlan} → overlay mode: the node's own path into the tunnel
 * ({@link io.twill.agent.datapath.HostPath}) → pod CIDRs (TwillNode via the operator, or {@code --pod-cidr}) and
 * peers (node watcher, or {@code --peers-file}) → IPAM → endpoint restore → the CNI server on the socket (which first
 * replays the shim's deletion queue) → status reports. SIGTERM stops serving and leaves the datapath in place.
 *
 * <h2>State ({@code paths.stateDir}, default {@code /var/run/twill})</h2>
 * {@code endpoints/<containerId>_<ifname>.json} (one per endpoint, written atomically and fsync'd: the truth a restart
 * works from), {@code ipam/<ip>} (one per allocated address, with its owner), {@code twill.sock} (0600) and
 * {@code delete-queue/} (DELs the shim queued while the agent was down). Pinned maps live under
 * {@code paths.pinRoot}.
 *
 * <h2>Where the logic lives</h2>
 * {@link io.twill.agent.ipam} (allocation), {@link io.twill.agent.endpoint} (ADD/DEL/CHECK/GC/restore behind the
 * ports {@code EndpointNetwork}, {@code DatapathWriter}, {@code EndpointStore}), {@link io.twill.agent.cni} (CNI
 * verbs and error codes), {@link io.twill.agent.state} (the files), {@link io.twill.agent.datapath} (the adapters
 * on netlink, maps and bpf-loader). Everything but the adapters is tested without root over test doubles.
 */
package io.twill.agent;
