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
            new Extension("external-net", "Neutron external network", "Adds external network attribute to network resource."),
            new Extension("filter-validation", "Filter parameters validation", "Provides validation on filter parameters."),
            new Extension("ip-substring-filtering", "IP address substring filtering", "Provides IP address substring filtering when listing ports"),
            new Extension("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
            new Extension("net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a network resource."),
            new Extension("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
            new Extension("port-security", "Port Security", "Provides port security"),
            new Extension("project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."),
            new Extension("provider", "Provider Network", "Expose mapping of virtual networks to physical networks"),
            new Extension("revision-if-match", "If-Match constraints based on revision_number", "Extension indicating that If-Match based on revision_number is supported."),
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
