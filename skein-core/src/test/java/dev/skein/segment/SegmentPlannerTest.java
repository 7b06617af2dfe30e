package dev.skein.segment;

import dev.skein.error.NeutronException;
import dev.skein.ipam.Range;
import dev.skein.ipam.RangeAllocator;
import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import dev.skein.store.SegmentRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import static dev.skein.error.NeutronErrors.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentPlannerTest {

    /** The network_segments table: (type, physical network, id) is its primary key. */
    private static final class FakeSegments implements SegmentRepository {
        record Key(NetworkType type, String physnet, long id) {}

        final Map<Key, String> rows = new HashMap<>();

        @Override
        public boolean tryClaim(NetworkType type, String physicalNetwork, long id, String networkId) {
            return rows.putIfAbsent(new Key(type, physicalNetwork, id), networkId) == null;
        }

        @Override
        public long countClaimed(NetworkType type, String physicalNetwork, BigInteger first, BigInteger last) {
            return rows.keySet().stream().filter(k -> k.type() == type && Objects.equals(k.physnet(), physicalNetwork)
                    && BigInteger.valueOf(k.id()).compareTo(first) >= 0 && BigInteger.valueOf(k.id()).compareTo(last) <= 0).count();
        }

        @Override
        public void releaseOf(String networkId) { rows.values().removeIf(networkId::equals); }

        String holder(NetworkType type, String physnet, long id) { return rows.get(new Key(type, physnet, id)); }
    }

    private final FakeSegments repo = new FakeSegments();

    private static SegmentPlanner planner(Range... vniRanges) {
        Random random = new Random(17);
        return new SegmentPlanner(List.of(vniRanges), new RangeAllocator(() -> random));
    }

    private static void assertNoTenantNetwork(NeutronException e) {
        assertEquals("Unable to create the network. No tenant network is available for allocation.", e.getMessage());
    }

    @Test
    void tenantNetworkGetsAVxlanVniFromTheConfiguredRange() {
        Segment s = planner(Range.of(1000, 1999)).allocateTenant(repo, "net-1");
        assertEquals(NetworkType.VXLAN, s.type());
        assertNull(s.physicalNetwork());
        assertTrue(s.segmentationId() >= 1000 && s.segmentationId() <= 1999, "VNI " + s.segmentationId());
        assertEquals("net-1", repo.holder(NetworkType.VXLAN, null, s.segmentationId()));
    }

    @Test
    void tenantVnisAreDistinctUntilTheRangesRunOutThen503() {
        SegmentPlanner planner = planner(Range.of(5, 7), Range.of(100, 101));
        Set<Integer> vnis = new HashSet<>();
        for (int i = 0; i < 5; i++) assertTrue(vnis.add(planner.allocateTenant(repo, "net-" + i).segmentationId()));
        assertEquals(Set.of(5, 6, 7, 100, 101), vnis);
        assertNoTenantNetwork(expect(503, "NoNetworkAvailable", () -> planner.allocateTenant(repo, "net-x")));
    }

    @Test
    void releasedVniCanBeAllocatedAgain() {
        SegmentPlanner planner = planner(Range.of(42, 42));
        assertEquals(42, planner.allocateTenant(repo, "a").segmentationId());
        expect(503, "NoNetworkAvailable", () -> planner.allocateTenant(repo, "b"));
        repo.releaseOf("a");
        assertEquals(42, planner.allocateTenant(repo, "b").segmentationId());
    }

    @Test
    void noConfiguredRangesMeansNoTenantNetworks() {
        assertNoTenantNetwork(expect(503, "NoNetworkAvailable", () -> planner().allocateTenant(repo, "n")));
    }

    @Test
    void vlanIdsAndFlatNetworksDoNotUseUpVnis() {
        SegmentPlanner planner = planner(Range.of(7, 7));
        planner.claimProvider(repo, "v", "vlan", "physnet1", 7);
        planner.claimProvider(repo, "f", "flat", "physnet2", null);
        assertEquals(7, planner.allocateTenant(repo, "t").segmentationId());
    }

    @Test
    void largestVniRangeAllocates() {
        Segment s = planner(Range.of(1, SegmentPlanner.MAX_VNI)).allocateTenant(repo, "n");
        assertTrue(s.segmentationId() >= 1 && s.segmentationId() <= SegmentPlanner.MAX_VNI);
    }

    @Test
    void unsupportedNetworkType() {
        for (String type : new String[]{"gre", "geneve", "local", "VLAN", "", null}) {
            NeutronException e = expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", type, "physnet1", null));
            assertTrue(e.getMessage().contains("network_type value '" + type + "' not supported"), e.getMessage());
        }
        assertTrue(repo.rows.isEmpty());
    }

    @Test
    void flatNetworkOnAPhysicalNetwork() {
        assertEquals(new Segment(NetworkType.FLAT, "physnet1", null), planner().claimProvider(repo, "n1", "flat", "physnet1", null));
        assertEquals("n1", repo.holder(NetworkType.FLAT, "physnet1", 0));
        assertEquals(new Segment(NetworkType.FLAT, "physnet2", null), planner().claimProvider(repo, "n2", "flat", "physnet2", null));
    }

    @Test
    void secondFlatNetworkOnTheSamePhysicalNetworkIs409() {
        planner().claimProvider(repo, "n1", "flat", "physnet1", null);
        NeutronException e = expect(409, "FlatNetworkInUse", () -> planner().claimProvider(repo, "n2", "flat", "physnet1", null));
        assertEquals("Unable to create the flat network. Physical network physnet1 is in use.", e.getMessage());
        assertEquals("n1", repo.holder(NetworkType.FLAT, "physnet1", 0));
    }

    @Test
    void flatNeedsAPhysicalNetworkAndHasNoSegmentationId() {
        expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "flat", null, null));
        expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "flat", "", null));
        NeutronException e = expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "flat", "physnet1", 5));
        assertTrue(e.getMessage().contains("segmentation_id"), e.getMessage());
        assertTrue(repo.rows.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, SegmentPlanner.MAX_VLAN})
    void vlanIdsOneThrough4094(int id) {
        assertEquals(new Segment(NetworkType.VLAN, "physnet1", id), planner().claimProvider(repo, "n", "vlan", "physnet1", id));
        assertEquals("n", repo.holder(NetworkType.VLAN, "physnet1", id));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 4095, 65536})
    void vlanIdOutOfRange(int id) {
        NeutronException e = expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "vlan", "physnet1", id));
        assertEquals("Invalid input for operation: segmentation_id out of range (1 through 4094)", e.getMessage());
        assertTrue(repo.rows.isEmpty());
    }

    @Test
    void vlanNeedsAPhysicalNetworkAndAnId() {
        expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "vlan", null, 10));
        expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "vlan", "", 10));
        expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "vlan", "physnet1", null));
        assertTrue(repo.rows.isEmpty());
    }

    @Test
    void takenVlanIs409ButTheSameIdOnAnotherPhysicalNetworkIsFree() {
        planner().claimProvider(repo, "n1", "vlan", "physnet1", 10);
        NeutronException e = expect(409, "VlanIdInUse", () -> planner().claimProvider(repo, "n2", "vlan", "physnet1", 10));
        assertEquals("Unable to create the network. The VLAN 10 on physical network physnet1 is in use.", e.getMessage());
        planner().claimProvider(repo, "n3", "vlan", "physnet2", 10);
        planner().claimProvider(repo, "n4", "flat", "physnet1", null);
        assertEquals("n1", repo.holder(NetworkType.VLAN, "physnet1", 10));
        assertEquals("n3", repo.holder(NetworkType.VLAN, "physnet2", 10));
    }

    @Test
    void vxlanWithAnExplicitVni() {
        assertEquals(new Segment(NetworkType.VXLAN, null, 5000), planner().claimProvider(repo, "n", "vxlan", null, 5000));
        assertEquals(new Segment(NetworkType.VXLAN, null, SegmentPlanner.MAX_VNI),
                planner().claimProvider(repo, "m", "vxlan", null, SegmentPlanner.MAX_VNI));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -5, 1 << 24})
    void vniOutOfRange(int id) {
        NeutronException e = expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "vxlan", null, id));
        assertEquals("Invalid input for operation: segmentation_id out of range (1 through 16777215)", e.getMessage());
    }

    @Test
    void vxlanHasNoPhysicalNetwork() {
        expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "vxlan", "physnet1", 5000));
        expect(400, "InvalidInput", () -> planner().claimProvider(repo, "n", "vxlan", "physnet1", null));
        assertTrue(repo.rows.isEmpty());
    }

    @Test
    void vxlanWithoutVniTakesOneFromTheTenantRanges() {
        Segment s = planner(Range.of(300, 300)).claimProvider(repo, "n", "vxlan", null, null);
        assertEquals(new Segment(NetworkType.VXLAN, null, 300), s);
        expect(503, "NoNetworkAvailable", () -> planner(Range.of(300, 300)).claimProvider(repo, "m", "vxlan", null, null));
    }

    @Test
    void takenVniIs409WhetherATenantOrAnAdminTookIt() {
        SegmentPlanner planner = planner(Range.of(77, 77));
        int tenantVni = planner.allocateTenant(repo, "tenant").segmentationId();
        NeutronException e = expect(409, "TunnelIdInUse", () -> planner.claimProvider(repo, "admin", "vxlan", null, tenantVni));
        assertEquals("Unable to create the network. The tunnel ID 77 is in use.", e.getMessage());
        planner.claimProvider(repo, "a", "vxlan", null, 9000);
        expect(409, "TunnelIdInUse", () -> planner.claimProvider(repo, "b", "vxlan", null, 9000));
    }

    @Test
    void providerVniInsideTheTenantRangeIsSkippedByTenantAllocation() {
        SegmentPlanner planner = planner(Range.of(5, 6));
        planner.claimProvider(repo, "admin", "vxlan", null, 5);
        assertEquals(6, planner.allocateTenant(repo, "tenant").segmentationId());
        expect(503, "NoNetworkAvailable", () -> planner.allocateTenant(repo, "another"));
    }
}
