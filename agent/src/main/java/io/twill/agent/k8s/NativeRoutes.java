package io.twill.agent.k8s;

/**
 * Native-routing mode's kernel routes: one route per remote node's pod CIDR via that node's underlay IP (like
 * flannel's host-gw). The agent core implements it with netlink; {@link #entries()} must return only routes Twill
 * installed (e.g. recognised by their route protocol), never the node's other routes.
 */
public interface NativeRoutes extends NodeCidrTable {
}
