package io.twill.agent.k8s;

/**
 * The overlay's {@code twill_tunnel} LPM trie as the node watcher sees it: pod CIDR → underlay IPv4 of the node
 * that owns it. The real implementation sits on the maps module's {@code TunnelMap}.
 */
public interface TunnelTable extends NodeCidrTable {
}
