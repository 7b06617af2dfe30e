package dev.skein.service;

import dev.skein.error.NeutronException;
import dev.skein.service.QuotaService.Charge;
import dev.skein.store.AgentRepository;
import dev.skein.store.HostPlanRepository;
import dev.skein.store.IdentityRepository;
import dev.skein.store.IpAllocationRepository;
import dev.skein.store.InstanceMetadataRepository;
import dev.skein.store.NetworkRepository;
import dev.skein.store.PlacementRepository;
import dev.skein.store.PortRepository;
import dev.skein.store.QuotaRepository;
import dev.skein.store.RbacPolicyRepository;
import dev.skein.store.RouterRepository;
import dev.skein.store.SecurityGroupRepository;
import dev.skein.store.SecurityGroupRuleRepository;
import dev.skein.store.FloatingIpRepository;
import dev.skein.store.SegmentRepository;
import dev.skein.store.SubnetRepository;
import dev.skein.store.Tx;
import dev.skein.store.TxListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaServiceTest {
    private final FakeQuotas repo = new FakeQuotas();
    private final Tx tx = new QuotaOnlyTx(repo);
    private final QuotaService quotas = new QuotaService(null, settings(5));

    @Test
    void aChargeWithinTheLimitLocksThenCounts() {
        repo.used.put("p/port", 4L);
        quotas.charge(tx, "p", "port", 1);
        assertEquals(List.of("lock p/port", "count p/port"), repo.calls);
    }

    @Test
    void aChargeBeyondTheLimitIsOverQuota() {
        repo.used.put("p/port", 4L);
        NeutronException e = assertThrows(NeutronException.class, () -> quotas.charge(tx, "p", "port", 2));
        assertEquals(409, e.status());
        assertEquals("OverQuota", e.type());
        assertEquals("Quota exceeded for resources: ['port'].", e.getMessage());
    }

    @Test
    void unlimitedTakesNoLockAndCountsNothing() {
        repo.overrides.put("p/port", -1);
        quotas.charge(tx, "p", "port", 1000);
        assertTrue(repo.calls.isEmpty(), repo.calls::toString);
    }

    @Test
    void aBatchLargerThanTheLimitFailsWithoutWaitingForTheLock() {
        assertThrows(NeutronException.class, () -> quotas.charge(tx, "p", "network", 6));
        assertTrue(repo.calls.isEmpty(), repo.calls::toString);
    }

    @Test
    void overridesReplaceTheDefault() {
        repo.overrides.put("p/network", 1);
        repo.used.put("p/network", 1L);
        assertThrows(NeutronException.class, () -> quotas.charge(tx, "p", "network", 1));
        quotas.charge(tx, "q", "network", 5);
    }

    @Test
    void locksAreTakenInOneGlobalOrderWhateverTheRequestOrder() {
        quotas.charge(tx, List.of(new Charge("b", "port", 1), new Charge("a", "subnet", 1), new Charge("b", "network", 1),
                new Charge("a", "port", 1), new Charge("b", "port", 1)));
        assertEquals(List.of("lock a/port", "lock a/subnet", "lock b/network", "lock b/port"),
                repo.calls.stream().filter(c -> c.startsWith("lock")).toList());
    }

    @Test
    void chargesForTheSameProjectAndResourceAddUp() {
        repo.used.put("p/port", 3L);
        assertThrows(NeutronException.class, () -> quotas.charge(tx, List.of(new Charge("p", "port", 1), new Charge("p", "port", 2))));
        quotas.charge(tx, List.of(new Charge("p", "port", 1), new Charge("p", "port", 1)));
    }

    @Test
    void unknownResourcesAreAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> quotas.charge(tx, "p", "ports", 1));
    }

    @Test
    void limitsAreIntegersFromMinusOneUp() {
        assertEquals(-1, QuotaService.limitValue("port", -1));
        assertEquals(0, QuotaService.limitValue("port", 0));
        assertEquals(12, QuotaService.limitValue("port", " 12 "));
        assertEquals(Integer.MAX_VALUE, QuotaService.limitValue("port", (long) Integer.MAX_VALUE));
        for (Object bad : List.of(-2, "x", 1.5, true, Integer.MAX_VALUE + 1L)) {
            NeutronException e = assertThrows(NeutronException.class, () -> QuotaService.limitValue("port", bad), String.valueOf(bad));
            assertEquals(400, e.status());
        }
        assertEquals("Invalid input for port. Reason: '-2' is too small - must be at least '-1'",
                assertThrows(NeutronException.class, () -> QuotaService.limitValue("port", -2)).getMessage());
    }

    private static QuotaSettings settings(int limit) {
        Map<String, Integer> d = new HashMap<>();
        for (String r : QuotaSettings.RESOURCES) d.put(r, limit);
        return new QuotaSettings(d);
    }

    /** Quota rows in memory; records the locks and counts in the order they happen. */
    private static final class FakeQuotas implements QuotaRepository {
        final Map<String, Integer> overrides = new HashMap<>();
        final Map<String, Long> used = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public OptionalInt limit(String projectId, String resource) {
            Integer l = overrides.get(projectId + "/" + resource);
            return l == null ? OptionalInt.empty() : OptionalInt.of(l);
        }

        @Override public Map<String, Integer> limits(String projectId) { throw new UnsupportedOperationException(); }
        @Override public Map<String, Map<String, Integer>> allLimits() { throw new UnsupportedOperationException(); }
        @Override public void setLimit(String projectId, String resource, int limit) { throw new UnsupportedOperationException(); }
        @Override public int clearLimits(String projectId) { throw new UnsupportedOperationException(); }

        @Override
        public void lockUsage(String projectId, String resource) { calls.add("lock " + projectId + "/" + resource); }

        @Override
        public OptionalLong count(String resource, String projectId) {
            calls.add("count " + projectId + "/" + resource);
            return OptionalLong.of(used.getOrDefault(projectId + "/" + resource, 0L));
        }
    }

    private record QuotaOnlyTx(QuotaRepository quotas) implements Tx {
        @Override public NetworkRepository networks() { throw new UnsupportedOperationException(); }
        @Override public SubnetRepository subnets() { throw new UnsupportedOperationException(); }
        @Override public PortRepository ports() { throw new UnsupportedOperationException(); }
        @Override public IpAllocationRepository ipAllocations() { throw new UnsupportedOperationException(); }
        @Override public SegmentRepository segments() { throw new UnsupportedOperationException(); }
        @Override public IdentityRepository identity() { throw new UnsupportedOperationException(); }
        @Override public RbacPolicyRepository rbacPolicies() { throw new UnsupportedOperationException(); }
        @Override public RouterRepository routers() { throw new UnsupportedOperationException(); }
        @Override public FloatingIpRepository floatingIps() { throw new UnsupportedOperationException(); }
        @Override public SecurityGroupRepository securityGroups() { throw new UnsupportedOperationException(); }
        @Override public SecurityGroupRuleRepository securityGroupRules() { throw new UnsupportedOperationException(); }
        @Override public AgentRepository agents() { throw new UnsupportedOperationException(); }
        @Override public HostPlanRepository hostPlans() { throw new UnsupportedOperationException(); }
        @Override public InstanceMetadataRepository instanceMetadata() { throw new UnsupportedOperationException(); }
        @Override public PlacementRepository placements() { throw new UnsupportedOperationException(); }

        @Override
        public <T extends TxListener> T attach(Class<T> type, Supplier<T> create) { throw new UnsupportedOperationException(); }
    }
}
