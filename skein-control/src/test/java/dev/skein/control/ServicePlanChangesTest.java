package dev.skein.control;

import dev.skein.model.FloatingIp;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.Router;
import dev.skein.model.Subnet;
import dev.skein.plan.HostPlan;
import dev.skein.plan.PlanDelta;
import dev.skein.plan.dhcp.DhcpPlan;
import dev.skein.plan.l3.RouterPlan;
import dev.skein.policy.RequestContext;
import dev.skein.service.PlanChanges;
import dev.skein.service.RouterService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The network node's parts built through the services against the real SQL store: a DHCP server and a router
 * placed on "net1" by binding their ports there, what plan("net1") holds for them, and which writes reach net1
 * with those parts in their deltas (and which do not).
 */
class ServicePlanChangesTest {
    static final RequestContext ADMIN = RequestContext.system();
    static final String NODE = "net1";

    @TempDir
    Path dir;
    TrackedServices s;
    HostPlanService plans;
    List<PlanChanges.Change> changes;

    Network ext, tenant;
    Subnet extSubnet, tenantSubnet;
    Port dhcp, vm;

    @BeforeEach
    void open() {
        s = new TrackedServices(dir);
        plans = s.plans;
        changes = s.changes;
        ext = s.networks.create(ADMIN, Map.of("name", "ext", "router:external", true));
        extSubnet = s.subnets.create(ADMIN, Map.of("network_id", ext.id(), "ip_version", 4, "cidr", "203.0.113.0/24", "enable_dhcp", false));
        tenant = s.networks.create(ADMIN, Map.of("name", "tenant"));
        tenantSubnet = s.subnets.create(ADMIN, Map.of("network_id", tenant.id(), "ip_version", 4, "cidr", "10.0.0.0/24",
                "dns_nameservers", List.of("192.0.2.53")));
        dhcp = port(tenant, NODE, "network:dhcp");
        vm = port(tenant, "c1", "compute:nova");
    }

    @AfterEach
    void close() { s.close(); }

    Port port(Network n, String host, String owner) {
        Map<String, Object> body = new HashMap<>(Map.of("network_id", n.id(), "device_owner", owner, "security_groups", List.of()));
        if (host != null) body.put("binding:host_id", host);
        return s.ports.create(ADMIN, body);
    }

    /** A router with a gateway on ext and an interface on the tenant subnet, its ports bound to net1 as a scheduler would. */
    Router router() {
        Router r = s.routers.create(ADMIN, Map.of("name", "r", "external_gateway_info", Map.of("network_id", ext.id())));
        bind(r.gateway().portId(), NODE);
        RouterService.InterfaceInfo i = s.routers.addInterface(ADMIN, r.id(), Map.of("subnet_id", tenantSubnet.id()));
        bind(i.portId(), NODE);
        return s.routers.get(ADMIN, r.id());
    }

    void bind(String portId, String host) { s.ports.update(ADMIN, portId, Map.of("binding:host_id", host), null); }

    PlanChanges.Change lastChange() { return changes.get(changes.size() - 1); }

    PlanDelta lastDelta(String host) { return plans.deltas(lastChange()).get(host); }

    DhcpPlan.Server server(DhcpPlan plan) {
        assertEquals(1, plan.servers().size(), plan::toString);
        return plan.servers().get(0);
    }

    RouterPlan.Router onlyRouter(RouterPlan plan) {
        assertEquals(1, plan.routers().size(), plan::toString);
        return plan.routers().get(0);
    }

    static String first(Port p) { return p.fixedIps().get(0).ipAddress(); }

    @Test
    void theDhcpServerIsOnTheHostItsPortIsBoundToWithEveryOtherPortsLease() {
        HostPlan plan = plans.plan(NODE);
        DhcpPlan.Server server = server(plan.dhcp());
        assertEquals(List.of(), plan.dhcp().problems());
        assertEquals(tenant.id(), server.networkId());
        assertEquals(dhcp.id(), server.portId());
        assertEquals(dhcp.macAddress(), server.mac());
        assertEquals(tenant.mtu(), server.mtu());
        assertEquals(List.of(first(dhcp) + "/24"), server.addresses());
        assertEquals(List.of(new DhcpPlan.Subnet(tenantSubnet.id(), 4, "10.0.0.0/24", "10.0.0.1", List.of("192.0.2.53"), List.of(),
                null, null, true)), server.subnets());
        assertEquals(List.of(new DhcpPlan.Reservation(vm.id(), vm.macAddress(), List.of(first(vm)), "host-" + first(vm).replace('.', '-'))),
                server.reservations());
        assertEquals("openstacklocal", server.domain());
        assertEquals(86400, server.leaseSeconds());
        assertTrue(server.metadata(), "no router on the network yet");
        assertEquals(RouterPlan.EMPTY, plan.routers());
        assertEquals(DhcpPlan.EMPTY, plans.plan("c1").dhcp(), "the compute host runs no DHCP server");
    }

    @Test
    void theRouterIsOnTheHostItsPortsAreBoundToWithGatewayInterfacesRoutesAndFloatingIps() {
        Router r = router();
        s.routers.update(ADMIN, r.id(), Map.of("routes", List.of(Map.of("destination", "172.16.0.0/16", "nexthop", "10.0.0.254"))), null);
        FloatingIp fip = s.floatingIps.create(ADMIN, Map.of("floating_network_id", ext.id(), "port_id", vm.id()));

        HostPlan plan = plans.plan(NODE);
        assertEquals(List.of(), plan.routers().problems());
        RouterPlan.Router planned = onlyRouter(plan.routers());
        assertEquals(r.id(), planned.id());
        Port gw = s.ports.get(ADMIN, r.gateway().portId());
        assertEquals(new RouterPlan.Gateway(gw.id(), ext.id(), gw.macAddress(), ext.mtu(), List.of(first(gw) + "/24"),
                List.of("203.0.113.1"), true), planned.gateway());
        assertEquals(1, planned.interfaces().size());
        RouterPlan.Interface in = planned.interfaces().get(0);
        assertEquals(tenant.id(), in.networkId());
        assertEquals(List.of("10.0.0.1/24"), in.addresses());
        assertEquals(List.of(new RouterPlan.Route("172.16.0.0/16", "10.0.0.254")), planned.routes());
        assertEquals(List.of(new RouterPlan.FloatingIp(fip.id(), fip.floatingIpAddress(), first(vm))), planned.floatingIps());
        assertTrue(planned.metadata());

        DhcpPlan.Server server = server(plan.dhcp());
        assertFalse(server.metadata(), "the router holds the subnet's gateway and serves metadata");
        assertTrue(server.reservations().stream().anyMatch(x -> x.portId().equals(in.portId())), "router interfaces have leases too");
        assertEquals(RouterPlan.EMPTY, plans.plan("c1").routers());
    }

    @Test
    void writesTheServicesReadReachTheirHostWithTheNewParts() {
        Port other = port(tenant, null, "compute:nova");
        assertEquals(Set.of(NODE), lastChange().serviceHosts(), "an unbound port on the network still gets a lease");
        assertTrue(lastChange().revisions().containsKey(NODE));
        assertTrue(hasLease(lastDelta(NODE).dhcp(), other), "the delta carries the new DHCP part");
        assertNotNull(lastDelta(NODE).routers(), "both service parts travel together");

        s.ports.delete(ADMIN, other.id(), null);
        assertFalse(hasLease(lastDelta(NODE).dhcp(), other), "a deleted port loses its lease");

        s.subnets.update(ADMIN, tenantSubnet.id(), Map.of("host_routes", List.of(Map.of("destination", "172.16.0.0/16", "nexthop", "10.0.0.9"))), null);
        assertEquals(List.of(new DhcpPlan.Route("172.16.0.0/16", "10.0.0.9")), server(lastDelta(NODE).dhcp()).subnets().get(0).hostRoutes());
        s.subnets.create(ADMIN, Map.of("network_id", tenant.id(), "ip_version", 6, "cidr", "fd00::/64", "ipv6_address_mode", "slaac",
                "ipv6_ra_mode", "slaac"));
        assertEquals(2, server(lastDelta(NODE).dhcp()).subnets().size());

        s.networks.update(ADMIN, tenant.id(), Map.of("mtu", 1400), null);
        assertEquals(1400, server(lastDelta(NODE).dhcp()).mtu());

        Router r = router();
        assertTrue(lastChange().serviceHosts().contains(NODE));
        assertFalse(server(lastDelta(NODE).dhcp()).metadata(), "binding the interface shows the network is routed");
        assertEquals(r.id(), onlyRouter(lastDelta(NODE).routers()).id());

        s.routers.update(ADMIN, r.id(), Map.of("routes", List.of(Map.of("destination", "172.16.0.0/16", "nexthop", "10.0.0.254"))), null);
        assertEquals(1, onlyRouter(lastDelta(NODE).routers()).routes().size());
        s.routers.removeExtraRoutes(ADMIN, r.id(), Map.of("router", Map.of("routes",
                List.of(Map.of("destination", "172.16.0.0/16", "nexthop", "10.0.0.254")))));
        assertEquals(List.of(), onlyRouter(lastDelta(NODE).routers()).routes());

        FloatingIp fip = s.floatingIps.create(ADMIN, Map.of("floating_network_id", ext.id(), "port_id", vm.id()));
        assertEquals(List.of(fip.floatingIpAddress()), floatingIps(lastDelta(NODE).routers()));
        Map<String, Object> disassociate = new HashMap<>();
        disassociate.put("port_id", null);
        s.floatingIps.update(ADMIN, fip.id(), disassociate, null);
        assertEquals(List.of(), floatingIps(lastDelta(NODE).routers()), "disassociated");
        s.floatingIps.update(ADMIN, fip.id(), Map.of("port_id", vm.id()), null);
        assertEquals(List.of(fip.floatingIpAddress()), floatingIps(lastDelta(NODE).routers()));
        s.ports.delete(ADMIN, vm.id(), null);
        assertEquals(List.of(), floatingIps(lastDelta(NODE).routers()), "deleting the port disassociates its floating IP");
        int before = changes.size();
        s.floatingIps.delete(ADMIN, fip.id(), null);
        assertEquals(before, changes.size(), "an unassociated floating IP is on no router");

        s.routers.update(ADMIN, r.id(), Map.of("admin_state_up", false), null);
        assertEquals(List.of(), lastDelta(NODE).routers().routers(), "a router that is down is not held");
        s.routers.update(ADMIN, r.id(), Map.of("admin_state_up", true), null);
        assertEquals(1, lastDelta(NODE).routers().routers().size());

        s.routers.removeInterface(ADMIN, r.id(), Map.of("subnet_id", tenantSubnet.id()));
        assertEquals(List.of(), onlyRouter(lastDelta(NODE).routers()).interfaces());
        assertTrue(server(lastDelta(NODE).dhcp()).metadata(), "isolated again");
    }

    @Test
    void writesTheServicesDoNotReadLeaveThePartsOut() {
        Router r = router();
        FloatingIp fip = s.floatingIps.create(ADMIN, Map.of("floating_network_id", ext.id(), "port_id", vm.id()));
        int before = changes.size();
        s.ports.update(ADMIN, vm.id(), Map.of("name", "renamed"), null);
        s.subnets.update(ADMIN, tenantSubnet.id(), Map.of("name", "renamed"), null);
        s.routers.update(ADMIN, r.id(), Map.of("name", "renamed"), null);
        s.floatingIps.update(ADMIN, fip.id(), Map.of("description", "d"), null);
        s.networks.update(ADMIN, tenant.id(), Map.of("name", "renamed"), null);
        assertEquals(before, changes.size(), "nothing a plan reads changed");

        Network elsewhere = s.networks.create(ADMIN, Map.of("name", "elsewhere"));
        s.subnets.create(ADMIN, Map.of("network_id", elsewhere.id(), "ip_version", 4, "cidr", "10.9.0.0/24"));
        assertEquals(before, changes.size(), "a subnet on a network without services reaches nobody");
        port(elsewhere, "c2", "compute:nova");
        assertEquals(Set.of("c2"), lastChange().revisions().keySet());
        assertEquals(Set.of(), lastChange().serviceHosts());
        assertNull(lastDelta("c2").dhcp(), "a compute host's delta carries no service parts");
        assertNull(lastDelta("c2").routers());

        port(tenant, "c1", "compute:nova");
        assertEquals(Set.of(NODE), lastChange().serviceHosts());
        assertNull(plans.deltas(lastChange()).get("c1").dhcp(), "only the DHCP host gets the DHCP part");
    }

    @Test
    void servicesThatMoveTellBothHostsAndADeletedNetworkTakesItsServerAlong() {
        bind(dhcp.id(), "net2");
        assertEquals(Set.of(NODE, "net2"), lastChange().serviceHosts());
        assertEquals(List.of(), lastDelta(NODE).dhcp().servers(), "the old host stops serving");
        assertEquals(dhcp.id(), server(lastDelta("net2").dhcp()).portId());

        Router r = router();
        Port gw = s.ports.get(ADMIN, r.gateway().portId());
        bind(gw.id(), "net2");
        assertEquals(Set.of(NODE, "net2"), lastChange().serviceHosts());
        assertTrue(lastDelta(NODE).routers().problems().stream().anyMatch(p -> p.contains(gw.id())), "split across hosts is reported");
        assertNull(onlyRouter(lastDelta(NODE).routers()).gateway());
        assertNotNull(onlyRouter(lastDelta("net2").routers()).gateway());

        Network lone = s.networks.create(ADMIN, Map.of("name", "lone"));
        s.subnets.create(ADMIN, Map.of("network_id", lone.id(), "ip_version", 4, "cidr", "10.7.0.0/24"));
        port(lone, "net3", "network:dhcp");
        assertEquals(1, plans.plan("net3").dhcp().servers().size());
        s.networks.delete(ADMIN, lone.id(), null);
        assertEquals(Set.of("net3"), lastChange().serviceHosts());
        assertEquals(List.of(), lastDelta("net3").dhcp().servers());
    }

    @Test
    void anExistingPortTakenAsRouterInterfaceIsTrustedByTheFirewallOfItsHost() {
        // The router is placed on a live network node when it gets its first port; here that is the port's own host.
        s.agents.register(ADMIN, Map.of("host", NODE, "configurations", Map.of("roles", List.of("network"))));
        Router r = s.routers.create(ADMIN, Map.of("name", "r"));
        Port taken = s.ports.create(ADMIN, Map.of("network_id", tenant.id(), "binding:host_id", NODE,
                "fixed_ips", List.of(Map.of("subnet_id", tenantSubnet.id(), "ip_address", "10.0.0.200"))));
        HostPlan before = plans.plan(NODE);
        assertTrue(before.firewall().plan().tables().stream().flatMap(t -> t.chains().stream())
                .anyMatch(c -> c.name().endsWith(taken.id())), "an ordinary port is filtered");
        s.routers.addInterface(ADMIN, r.id(), Map.of("port_id", taken.id()));
        PlanChanges.Change c = lastChange();
        assertTrue(c.firewallHosts().contains(NODE) && c.serviceHosts().contains(NODE));
        PlanDelta d = lastDelta(NODE);
        assertFalse(d.applyTo(before).firewall().plan().tables().stream().flatMap(t -> t.chains().stream())
                .anyMatch(x -> x.name().endsWith(taken.id())), "a router interface is trusted");
        assertEquals(List.of("10.0.0.200/24"), onlyRouter(d.routers()).interfaces().get(0).addresses());
        assertTrue(server(d.dhcp()).metadata(), "the router does not hold the subnet's gateway, so clients do not reach it");
    }

    static boolean hasLease(DhcpPlan plan, Port p) {
        return plan.servers().stream().flatMap(x -> x.reservations().stream()).anyMatch(x -> x.portId().equals(p.id()));
    }

    static List<String> floatingIps(RouterPlan plan) {
        return plan.routers().stream().flatMap(r -> r.floatingIps().stream()).map(RouterPlan.FloatingIp::floatingIp).toList();
    }
}
