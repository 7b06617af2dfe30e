package dev.skein.api.neutron;

import dev.skein.model.AddressPair;
import dev.skein.model.FixedIp;
import dev.skein.model.FloatingIp;
import dev.skein.model.Network;
import dev.skein.model.Port;
import dev.skein.model.RbacPolicy;
import dev.skein.model.Router;
import dev.skein.model.Subnet;
import dev.skein.policy.RequestContext;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Resources as the Networking API v2.0 shows them. */
final class Views {
    private Views() {}

    static Map<String, Object> network(Network n, List<String> subnetIds, RequestContext ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("name", n.name());
        m.put("admin_state_up", n.adminStateUp());
        m.put("status", n.status());
        m.put("subnets", subnetIds);
        m.put("shared", n.shared());
        m.put("router:external", n.external());
        m.put("mtu", n.mtu());
        m.put("port_security_enabled", n.portSecurityEnabled());
        if (ctx.isAdmin()) {
            m.put("provider:network_type", n.segment().type().wireName());
            m.put("provider:physical_network", n.segment().physicalNetwork());
            m.put("provider:segmentation_id", n.segment().segmentationId());
        }
        standard(m, n.projectId(), n.description(), n.tags(), n.createdAt(), n.updatedAt(), n.revision());
        return m;
    }

    static Map<String, Object> subnet(Subnet s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("name", s.name());
        m.put("network_id", s.networkId());
        m.put("ip_version", s.ipVersion());
        m.put("cidr", s.cidr());
        m.put("gateway_ip", s.gatewayIp());
        m.put("allocation_pools", s.allocationPools().stream().map(p -> Map.of("start", p.start(), "end", p.end())).toList());
        m.put("dns_nameservers", s.dnsNameservers());
        m.put("host_routes", s.hostRoutes().stream().map(r -> Map.of("destination", r.destination(), "nexthop", r.nexthop())).toList());
        m.put("enable_dhcp", s.enableDhcp());
        m.put("ipv6_ra_mode", s.ipv6RaMode());
        m.put("ipv6_address_mode", s.ipv6AddressMode());
        m.put("subnetpool_id", null);
        standard(m, s.projectId(), s.description(), s.tags(), s.createdAt(), s.updatedAt(), s.revision());
        return m;
    }

    static Map<String, Object> port(Port p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("network_id", p.networkId());
        m.put("admin_state_up", p.adminStateUp());
        m.put("status", p.status());
        m.put("mac_address", p.macAddress());
        List<Map<String, Object>> ips = new ArrayList<>();
        for (FixedIp f : p.fixedIps()) ips.add(Map.of("subnet_id", f.subnetId(), "ip_address", f.ipAddress()));
        m.put("fixed_ips", ips);
        m.put("device_id", p.deviceId());
        m.put("device_owner", p.deviceOwner());
        m.put("binding:host_id", p.hostId());
        // The hypervisor creates the tap device and the host agent wires it up (nova's "tap" VIF type).
        m.put("binding:vif_type", p.hostId().isEmpty() ? "unbound" : "tap");
        m.put("binding:vif_details", Map.of());
        m.put("binding:vnic_type", p.vnicType());
        m.put("binding:profile", Map.of());
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (AddressPair a : p.allowedAddressPairs()) {
            pairs.add(Map.of("ip_address", a.ipAddress(), "mac_address", a.macAddress() == null ? p.macAddress() : a.macAddress()));
        }
        m.put("allowed_address_pairs", pairs);
        m.put("port_security_enabled", p.portSecurityEnabled());
        m.put("security_groups", p.securityGroups());
        standard(m, p.projectId(), p.description(), p.tags(), p.createdAt(), p.updatedAt(), p.revision());
        return m;
    }

    /** Neutron shows the target under its old name target_tenant and its newer one target_project. */
    static Map<String, Object> rbacPolicy(RbacPolicy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("object_type", p.objectType());
        m.put("object_id", p.objectId());
        m.put("action", p.action());
        m.put("target_tenant", p.targetProject());
        m.put("target_project", p.targetProject());
        m.put("project_id", p.projectId());
        m.put("tenant_id", p.projectId());
        return m;
    }

    static Map<String, Object> router(Router r, RequestContext ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("admin_state_up", r.adminStateUp());
        m.put("status", r.status());
        Map<String, Object> gw = null;
        if (r.gateway() != null) {
            gw = new LinkedHashMap<>();
            gw.put("network_id", r.gateway().networkId());
            gw.put("enable_snat", r.enableSnat());
            gw.put("external_fixed_ips", fixedIps(r.gateway().fixedIps()));
        }
        m.put("external_gateway_info", gw);
        m.put("routes", r.routes().stream().map(x -> Map.of("destination", x.destination(), "nexthop", x.nexthop())).toList());
        // Neutron shows how a router is realised to admins only.
        if (ctx.isAdmin()) {
            m.put("distributed", r.distributed());
            m.put("ha", r.ha());
        }
        standard(m, r.projectId(), r.description(), r.tags(), r.createdAt(), r.updatedAt(), r.revision());
        return m;
    }

    /** A floating IP; port is its associated port (null when unassociated), shown as port_details. */
    static Map<String, Object> floatingIp(FloatingIp f, Port port) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", f.id());
        m.put("floating_ip_address", f.floatingIpAddress());
        m.put("floating_network_id", f.floatingNetworkId());
        m.put("router_id", f.routerId());
        m.put("port_id", f.portId());
        m.put("fixed_ip_address", f.fixedIpAddress());
        m.put("status", f.status());
        Map<String, Object> details = null;
        if (port != null) {
            details = new LinkedHashMap<>();
            details.put("name", port.name());
            details.put("network_id", port.networkId());
            details.put("mac_address", port.macAddress());
            details.put("admin_state_up", port.adminStateUp());
            details.put("status", port.status());
            details.put("device_id", port.deviceId());
            details.put("device_owner", port.deviceOwner());
        }
        m.put("port_details", details);
        standard(m, f.projectId(), f.description(), f.tags(), f.createdAt(), f.updatedAt(), f.revision());
        return m;
    }

    private static List<Map<String, Object>> fixedIps(List<FixedIp> ips) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FixedIp f : ips) out.add(Map.of("subnet_id", f.subnetId(), "ip_address", f.ipAddress()));
        return out;
    }

    private static void standard(Map<String, Object> m, String project, String description, List<String> tags,
                                 Instant created, Instant updated, long revision) {
        m.put("description", description);
        m.put("project_id", project);
        m.put("tenant_id", project);
        m.put("tags", tags);
        m.put("created_at", time(created));
        m.put("updated_at", time(updated));
        m.put("revision_number", revision);
    }

    static String time(Instant t) { return DateTimeFormatter.ISO_INSTANT.format(t); }
}
