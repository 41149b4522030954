package io.twill.bench.datapath;

import io.twill.datapath.Datapath;
import io.twill.maps.endpoints.EndpointsMap;
import io.twill.maps.tunnel.TunnelMap;

/**
 * What {@link TwillBenchNode} does with a datapath, so that one harness sets up both the current datapath
 * ({@link Datapath}, the agent's API) and the objects of an earlier build ({@link ObjectDirDatapath}) the same way:
 * same devices, same attachments, same map contents.
 */
interface BenchDatapath extends AutoCloseable {
    void attachUplink(int ifindex);

    void attachOverlay(int ifindex);

    void attachEndpoint(int ifindex);

    TunnelMap tunnel();

    EndpointsMap endpoints();

    boolean usesClsBpf();

    @Override
    void close();

    /** The agent's datapath, as it is. */
    static BenchDatapath of(Datapath dp) {
        return new BenchDatapath() {
            @Override
            public void attachUplink(int ifindex) {
                dp.attachUplink(ifindex);
            }

            @Override
            public void attachOverlay(int ifindex) {
                dp.attachOverlay(ifindex);
            }

            @Override
            public void attachEndpoint(int ifindex) {
                dp.attachEndpoint(ifindex);
            }

            @Override
            public TunnelMap tunnel() {
                return dp.tunnel();
            }

            @Override
            public EndpointsMap endpoints() {
                return dp.endpoints();
            }

            @Override
            public boolean usesClsBpf() {
                return dp.usesClsBpf();
            }

            @Override
            public void close() {
                dp.close();
            }
        };
    }
}
