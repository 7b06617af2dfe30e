package dev.skein.control;

import dev.skein.ipam.RangeAllocator;
import dev.skein.segment.SegmentPlanner;
import dev.skein.service.AgentService;
import dev.skein.service.DhcpPorts;
import dev.skein.service.FloatingIpService;
import dev.skein.service.NetworkNodes;
import dev.skein.service.RouterPlacement;
import dev.skein.service.NetworkService;
import dev.skein.service.NetworkSettings;
import dev.skein.service.PlanChanges;
import dev.skein.service.PortService;
import dev.skein.service.QuotaService;
import dev.skein.service.QuotaSettings;
import dev.skein.service.RouterService;
import dev.skein.service.SecurityGroupRuleService;
import dev.skein.service.SecurityGroupService;
import dev.skein.service.SubnetService;
import dev.skein.store.Store;
import dev.skein.store.sql.SqlStore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The domain services over an embedded SQL store whose plan changes are collected in {@link #changes}, with
 * quotas lifted so tests measure plans rather than limits. Closing closes the store.
 */
final class TrackedServices implements AutoCloseable {
    final SqlStore sql;
    final Store store;
    final HostPlanService plans;
    final NetworkService networks;
    final PortService ports;
    final SecurityGroupService groups;
    final SecurityGroupRuleService rules;
    final SubnetService subnets;
    final RouterService routers;
    final FloatingIpService floatingIps;
    final AgentService agents;
    final List<PlanChanges.Change> changes = new CopyOnWriteArrayList<>();

    TrackedServices(Path dir) {
        sql = SqlStore.embedded(dir);
        plans = new HostPlanService(sql);
        store = PlanChanges.tracking(sql, changes::add);
        NetworkSettings settings = NetworkSettings.defaults();
        RangeAllocator allocator = new RangeAllocator(ThreadLocalRandom::current);
        Map<String, Integer> unlimited = new HashMap<>();
        QuotaSettings.RESOURCES.forEach(r -> unlimited.put(r, QuotaSettings.UNLIMITED));
        QuotaService quotas = new QuotaService(store, new QuotaSettings(unlimited));
        networks = new NetworkService(store, settings, new SegmentPlanner(settings.vxlanVniRanges(), allocator), Clock.systemUTC(), quotas);
        ports = new PortService(store, settings, allocator, Clock.systemUTC(), quotas);
        groups = new SecurityGroupService(store, Clock.systemUTC(), quotas);
        rules = new SecurityGroupRuleService(store, Clock.systemUTC(), quotas);
        // Until a test registers a network node the scheduler places nothing: tests bind service ports themselves.
        NetworkNodes nodes = new NetworkNodes(Duration.ofSeconds(75), Clock.systemUTC());
        subnets = new SubnetService(store, Clock.systemUTC(), quotas, new DhcpPorts(ports, nodes, Clock.systemUTC()));
        routers = new RouterService(store, ports, Clock.systemUTC(), quotas, new RouterPlacement(nodes, Clock.systemUTC()));
        floatingIps = new FloatingIpService(store, ports, Clock.systemUTC(), quotas);
        agents = new AgentService(store, Duration.ofSeconds(75), Clock.systemUTC());
    }

    @Override
    public void close() { sql.close(); }
}
