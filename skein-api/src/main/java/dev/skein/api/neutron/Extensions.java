package dev.skein.api.neutron;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API extensions Skein really implements; clients decide what to send from this list. */
final class Extensions {
    record Extension(String alias, String name, String description) {}

    static final List<Extension> ALL = List.of(
            new Extension("agent", "agent", "The agent management extension."),
            new Extension("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"),
            new Extension("binding", "Port Binding", "Expose port bindings of a virtual port to external application"),
            new Extension("dhcp_agent_scheduler", "DHCP Agent Scheduler", "Which agent runs each network's DHCP server; admins move them between network nodes."),
            new Extension("dvr", "Distributed Virtual Router", "Routers carry a distributed flag (admin only); Skein stores and shows it."),
            new Extension("ext-gw-mode", "Neutron L3 Configurable external gateway mode", "A router gateway says whether traffic leaving through it is source-NATed (enable_snat)."),
            new Extension("external-net", "Neutron external network", "Adds external network attribute to network resource."),
            new Extension("extraroute", "Neutron Extra Route", "Routers carry static routes whose nexthops lie on their subnets."),
            new Extension("extraroute-atomic", "Atomically add/remove extra routes", "PUT add_extraroutes and remove_extraroutes change a router's routes in one step."),
            new Extension("filter-validation", "Filter parameters validation", "Provides validation on filter parameters."),
            new Extension("fip-port-details", "Floating IP Port Details Extension", "Floating IPs show a summary of their associated port as port_details."),
            new Extension("ip-substring-filtering", "IP address substring filtering", "Provides IP address substring filtering when listing ports"),
            new Extension("l3-ha", "HA Router extension", "Routers carry an ha flag (admin only); Skein stores and shows it."),
            new Extension("l3_agent_scheduler", "L3 Agent Scheduler", "Which agent runs each router; admins move them between network nodes."),
            new Extension("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
            new Extension("net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a network resource."),
            new Extension("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
            new Extension("port-security", "Port Security", "Provides port security"),
            new Extension("project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."),
            new Extension("provider", "Provider Network", "Expose mapping of virtual networks to physical networks"),
            new Extension("quota_details", "Quota details management support", "Shows per project how much of each quota is used."),
            new Extension("quotas", "Quota management support", "Per-project limits on the number of each resource."),
            new Extension("rbac-policies", "RBAC Policies", "Policies that give other projects access to a network."),
            new Extension("revision-if-match", "If-Match constraints based on revision_number", "Extension indicating that If-Match based on revision_number is supported."),
            new Extension("router", "Neutron L3 Router", "Routers joining subnets, gateways to external networks and floating IPs."),
            new Extension("security-group", "security-group", "The security groups extension."),
            new Extension("security-groups-normalized-cidr", "Security group rule normalized CIDR", "Adds normalized_cidr, the remote prefix without host bits, to security group rules."),
            new Extension("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
            new Extension("standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes"),
            new Extension("standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources."),
            new Extension("standard-attr-tag", "Tag support for resources with standard attribute: subnet, network, port", "Enables to set tag on resources with standard attribute."),
            new Extension("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes."));

    private Extensions() {}

    static Map<String, Object> view(Extension e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alias", e.alias());
        m.put("name", e.name());
        m.put("description", e.description());
        m.put("links", List.of());
        m.put("updated", "2026-11-24T00:00:00-00:00");
        return m;
    }
}
