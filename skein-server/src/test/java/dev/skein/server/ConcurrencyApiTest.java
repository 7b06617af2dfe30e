package dev.skein.server;

import dev.skein.server.TestCloud.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static dev.skein.server.Caller.attrs;
import static dev.skein.server.Caller.expect;
import static dev.skein.server.Caller.ipOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many clients at once: addresses, MACs and segments stay unique and failures are clean 409s, never 5xx. */
class ConcurrencyApiTest {
    private static final int CLIENTS = 64;
    private static final AtomicInteger VLANS = new AtomicInteger(100);
    private static TestCloud cloud;
    private static Caller admin;

    @BeforeAll
    static void start() {
        SkeinConfig config = new SkeinConfig();
        config.network.vxlanVniRanges = new ArrayList<>(List.of("100:107"));
        cloud = new TestCloud(config);
        admin = Caller.admin(cloud);
    }

    @AfterAll
    static void stop() { cloud.close(); }

    /** Runs n requests at the same moment, one virtual thread each, and returns the answers in request order. */
    private static List<Response> all(int n, IntFunction<Response> request) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return request.apply(k);
                }));
            }
            go.countDown();
            List<Response> out = new ArrayList<>();
            for (Future<Response> f : futures) out.add(f.get());
            return out;
        }
    }

    private static void noServerErrors(List<Response> rs) {
        for (Response r : rs) assertTrue(r.status() < 500, () -> "server error: " + r.status() + " " + r.body());
    }

    /** A network on its own VLAN, so the port tests leave the small tenant VNI range to the network race. */
    private static String[] networkWithSubnet(String cidr, Object... subnetAttrs) {
        String net = (String) admin.create("networks", attrs("provider:network_type", "vlan", "provider:physical_network", "physnet1",
                "provider:segmentation_id", VLANS.incrementAndGet())).get("id");
        Map<String, Object> s = attrs("network_id", net, "ip_version", 4, "cidr", cidr);
        s.putAll(attrs(subnetAttrs));
        return new String[]{net, (String) admin.create("subnets", s).get("id")};
    }

    @Test
    void concurrentPortCreatesGetDistinctAddressesAndMacs() throws Exception {
        String[] ns = networkWithSubnet("10.60.0.0/24");
        List<Response> rs = all(CLIENTS, i -> admin.tryCreate("ports", attrs("network_id", ns[0], "name", "p" + i)));
        noServerErrors(rs);
        Set<String> ips = new HashSet<>(), macs = new HashSet<>();
        for (Response r : rs) {
            Map<String, Object> p = expect(201, r).json("port");
            ips.add(ipOn(p, ns[1]));
            macs.add((String) p.get("mac_address"));
        }
        assertEquals(CLIENTS, ips.size(), "no address handed out twice");
        assertEquals(CLIENTS, macs.size(), "no MAC handed out twice");
        assertEquals(CLIENTS, admin.list("ports", "network_id=" + ns[0]).size());
    }

    @Test
    void concurrentCreatesOnANearlyFullPoolTakeExactlyWhatIsLeft() throws Exception {
        // 12 addresses, 8 taken beforehand: 4 left for 24 clients.
        String[] ns = networkWithSubnet("10.61.0.0/24", "allocation_pools", List.of(Map.of("start", "10.61.0.10", "end", "10.61.0.21")));
        Set<String> before = new HashSet<>();
        for (int i = 0; i < 8; i++) before.add(ipOn(admin.port(ns[0]), ns[1]));

        List<Response> rs = all(24, i -> admin.tryCreate("ports", attrs("network_id", ns[0])));
        noServerErrors(rs);
        Set<String> won = new HashSet<>();
        int refused = 0;
        for (Response r : rs) {
            if (r.status() == 201) {
                won.add(ipOn(r.json("port"), ns[1]));
            } else {
                assertEquals(409, r.status(), r::body);
                assertEquals("IpAddressGenerationFailure", r.errorType(), r::body);
                refused++;
            }
        }
        assertEquals(4, won.size(), "exactly the free addresses were handed out: " + won);
        assertEquals(20, refused);
        assertTrue(won.stream().noneMatch(before::contains), "no address handed out twice");
        Set<String> all = new HashSet<>(before);
        all.addAll(won);
        Set<String> pool = new HashSet<>();
        for (int i = 10; i <= 21; i++) pool.add("10.61.0." + i);
        assertEquals(pool, all);
        assertEquals(12, admin.list("ports", "network_id=" + ns[0]).size());
    }

    @Test
    void oneAddressRequestedByManyGoesToExactlyOne() throws Exception {
        String[] ns = networkWithSubnet("10.62.0.0/24");
        List<Response> rs = all(16, i -> admin.tryCreate("ports", attrs("network_id", ns[0],
                "fixed_ips", List.of(Map.of("ip_address", "10.62.0.99")))));
        noServerErrors(rs);
        assertEquals(1, rs.stream().filter(r -> r.status() == 201).count());
        for (Response r : rs) {
            if (r.status() != 201) assertEquals("IpAddressAlreadyAllocated", r.errorType(), r::body);
        }
        assertEquals(1, admin.list("ports", "network_id=" + ns[0]).size());
    }

    @Test
    void oneMacRequestedByManyGoesToExactlyOne() throws Exception {
        String[] ns = networkWithSubnet("10.63.0.0/24");
        List<Response> rs = all(16, i -> admin.tryCreate("ports", attrs("network_id", ns[0], "mac_address", "fa:16:3e:99:99:99")));
        noServerErrors(rs);
        assertEquals(1, rs.stream().filter(r -> r.status() == 201).count());
        for (Response r : rs) {
            if (r.status() != 201) assertEquals("MacAddressInUse", r.errorType(), r::body);
        }
    }

    @Test
    void overlappingSubnetsCreatedAtOnceLeaveExactlyOne() throws Exception {
        String net = networkWithSubnet("10.64.0.0/24")[0];
        List<Response> rs = all(12, i -> admin.tryCreate("subnets", attrs("network_id", net, "ip_version", 4,
                "cidr", i % 2 == 0 ? "10.65.0.0/24" : "10.65.0.0/16")));
        noServerErrors(rs);
        assertEquals(1, rs.stream().filter(r -> r.status() == 201).count(), () -> rs.stream().map(Response::body).toList().toString());
        assertEquals(2, ((List<?>) admin.show("networks", net).get("subnets")).size());
    }

    @Test
    void concurrentNetworkCreatesShareTheVniRangeWithoutDuplicates() throws Exception {
        // Eight VNIs (100-107) for twelve clients.
        assertEquals(List.of(), admin.list("networks", "provider:network_type=vxlan"));
        List<Response> rs = all(12, i -> admin.tryCreate("networks", attrs("name", "vni-race-" + i)));
        noServerErrors(rs.stream().filter(r -> r.status() != 503).toList());
        Set<Object> vnis = new HashSet<>();
        for (Response r : rs) {
            if (r.status() == 201) {
                assertTrue(vnis.add(r.json("network").get("provider:segmentation_id")), r::body);
            } else {
                assertEquals(503, r.status(), r::body);
                assertEquals("NoNetworkAvailable", r.errorType(), r::body);
            }
        }
        assertEquals(8, vnis.size());
        assertEquals(8, admin.list("networks", "provider:network_type=vxlan").size());
    }
}
