package dev.skein.server;

import dev.skein.agent.ProcessRunner;
import dev.skein.agent.host.AgentSettings;
import dev.skein.agent.host.HostAgent;
import dev.skein.agent.metadata.UnservedMetadata;
import dev.skein.api.http.ApiServer;
import dev.skein.api.identity.IdentityApi;
import dev.skein.api.neutron.AgentsApi;
import dev.skein.api.neutron.NeutronApi;
import dev.skein.bus.AmqpBus;
import dev.skein.bus.Bus;
import dev.skein.bus.InProcessBus;
import dev.skein.control.HostPlanPublisher;
import dev.skein.control.HostPlanService;
import dev.skein.identity.IdentityService;
import dev.skein.identity.IdentitySettings;
import dev.skein.identity.TokenCodec;
import dev.skein.ipam.MacAddresses;
import dev.skein.ipam.Range;
import dev.skein.ipam.RangeAllocator;
import dev.skein.segment.SegmentPlanner;
import dev.skein.service.AgentService;
import dev.skein.service.FloatingIpService;
import dev.skein.service.NetworkService;
import dev.skein.service.NetworkSettings;
import dev.skein.service.PlanChanges;
import dev.skein.service.PortService;
import dev.skein.service.QuotaService;
import dev.skein.service.QuotaSettings;
import dev.skein.service.RbacService;
import dev.skein.service.RouterService;
import dev.skein.service.SecurityGroupRuleService;
import dev.skein.service.SecurityGroupService;
import dev.skein.service.SubnetService;
import dev.skein.store.Store;
import dev.skein.store.sql.SqlStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The controller process: store, domain services and the API, wired together. */
public final class Controller implements AutoCloseable {
    private final Store store;
    private final ApiServer api;
    private final Bus bus;
    private final AgentService agents;
    private final HostPlanService plans;

    private Controller(Store store, ApiServer api, Bus bus, AgentService agents, HostPlanService plans) {
        this.store = store;
        this.api = api;
        this.bus = bus;
        this.agents = agents;
        this.plans = plans;
    }

    /** Opens the store (migrating it), bootstraps identity and starts the API. */
    public static Controller start(SkeinConfig cfg, Path dataDir, String host, int port, AdminPassword admin) throws IOException {
        Files.createDirectories(dataDir);
        Clock clock = Clock.systemUTC();
        NetworkSettings settings = networkSettings(cfg.network);
        Store sql = cfg.database.url == null || cfg.database.url.isBlank()
                ? SqlStore.embedded(dataDir)
                : SqlStore.open(cfg.database.url, cfg.database.user, cfg.database.password);
        Bus bus = cfg.bus.amqpUrl == null || cfg.bus.amqpUrl.isBlank()
                ? new InProcessBus() : new AmqpBus(cfg.bus.amqpUrl, "skein-controller");
        // Every write transaction reports the host plans it changed, and the publisher tells those hosts' agents.
        HostPlanService plans = new HostPlanService(sql);
        Store store = PlanChanges.tracking(sql, new HostPlanPublisher(plans, bus));
        try {
            RangeAllocator allocator = new RangeAllocator(ThreadLocalRandom::current);
            IdentityService identity = new IdentityService(store, new TokenCodec(tokenKey(dataDir), clock),
                    Duration.ofSeconds(cfg.identity.tokenTtlSeconds), clock);
            boolean created = identity.bootstrap(identitySettings(cfg.identity, admin));
            if (created && admin.generated()) writeOpenrc(dataDir, admin.password(), host, port);
            QuotaService quotas = new QuotaService(store, quotaSettings(cfg.quotas));
            PortService ports = new PortService(store, settings, allocator, clock, quotas);
            NeutronApi neutron = new NeutronApi(identity,
                    new NetworkService(store, settings, new SegmentPlanner(settings.vxlanVniRanges(), allocator), clock, quotas),
                    new SubnetService(store, clock, quotas), ports, new RbacService(store, quotas, clock), quotas,
                    new RouterService(store, ports, clock, quotas), new FloatingIpService(store, ports, clock, quotas),
                    new SecurityGroupService(store, clock, quotas), new SecurityGroupRuleService(store, clock, quotas));
            if (cfg.agents.agentDownTime < 1) throw new IllegalArgumentException("agents.agent_down_time must be at least 1 second");
            AgentService agents = new AgentService(store, Duration.ofSeconds(cfg.agents.agentDownTime), clock);
            neutron.addRoutes(new AgentsApi(agents, plans)::register);
            if (bus instanceof AmqpBus amqp) amqp.startPublisher();
            ApiServer api = new ApiServer(neutron, new IdentityApi(identity, cfg.region)).start(host, port);
            return new Controller(store, api, bus, agents, plans);
        } catch (RuntimeException | IOException e) {
            bus.close();
            store.close();
            throw e;
        }
    }

    public int port() { return api.port(); }

    /** An agent for a host in this process, talking to this controller by direct calls and over its bus. */
    public HostAgent startAgent(AgentSettings settings) {
        return new HostAgent(settings, new LocalControllerClient(agents, plans), bus, new ProcessRunner(), new UnservedMetadata()).start();
    }

    @Override
    public void close() {
        api.close();
        bus.close();
        store.close();
    }

    static NetworkSettings networkSettings(SkeinConfig.Network n) {
        MacAddresses.requireValidBase(n.baseMac);
        List<Range> ranges = new ArrayList<>();
        for (String r : n.vxlanVniRanges) {
            String[] parts = r.split(":");
            long lo, hi;
            try {
                lo = Long.parseLong(parts[0].trim());
                hi = Long.parseLong(parts[parts.length - 1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("network.vxlan_vni_ranges entry '" + r + "' is not FIRST:LAST");
            }
            if (parts.length != 2 || lo < 1 || hi > SegmentPlanner.MAX_VNI || lo > hi) {
                throw new IllegalArgumentException("network.vxlan_vni_ranges entry '" + r + "' must be FIRST:LAST within 1:" + SegmentPlanner.MAX_VNI);
            }
            ranges.add(Range.of(lo, hi));
        }
        if (n.globalPhysnetMtu < 1280) throw new IllegalArgumentException("network.global_physnet_mtu must be at least 1280");
        return new NetworkSettings(n.baseMac.toLowerCase(), ranges, n.globalPhysnetMtu);
    }

    static QuotaSettings quotaSettings(SkeinConfig.Quotas q) {
        return new QuotaSettings(Map.of("network", q.network, "subnet", q.subnet, "port", q.port, "router", q.router,
                "floatingip", q.floatingip, "security_group", q.securityGroup, "security_group_rule", q.securityGroupRule,
                "rbac_policy", q.rbacPolicy));
    }

    /** The admin password: one the operator gave (applied on every start) or one generated for a first start. */
    public record AdminPassword(String password, boolean generated) {}

    private static IdentitySettings identitySettings(SkeinConfig.Identity i, AdminPassword admin) {
        return new IdentitySettings(admin.password(), !admin.generated(),
                i.projects.stream().map(p -> new IdentitySettings.ProjectSpec(p.name, p.description)).toList(),
                i.users.stream().map(u -> new IdentitySettings.UserSpec(u.name, u.password, u.project, u.roles)).toList());
    }

    /** An openrc for the generated admin password, readable only by the owner like the database itself. */
    private static void writeOpenrc(Path dataDir, String password, String host, int port) throws IOException {
        Path f = dataDir.resolve("openrc");
        Files.deleteIfExists(f);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, String.join("\n",
                "export OS_AUTH_URL=http://" + host + ":" + port + "/identity/v3",
                "export OS_IDENTITY_API_VERSION=3",
                "export OS_USERNAME=admin",
                "export OS_PASSWORD='" + password + "'",
                "export OS_PROJECT_NAME=admin",
                "export OS_USER_DOMAIN_NAME=Default",
                "export OS_PROJECT_DOMAIN_NAME=Default", ""));
    }

    /** The token signing key, made on first start; whoever can read it can mint tokens, hence mode 0600. */
    private static byte[] tokenKey(Path dataDir) throws IOException {
        Path f = dataDir.resolve("token.key");
        if (Files.exists(f)) return Files.readAllBytes(f);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(f, key);
        return key;
    }
}
