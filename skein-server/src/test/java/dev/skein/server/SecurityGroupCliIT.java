package dev.skein.server;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Security groups through the real `openstack` CLI against ./skein all-in-one. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityGroupCliIT {
    @RegisterExtension
    static final AllInOne skein = AllInOne.perClass("sg-cli-secret", AllInOne.COMPUTE_ONLY_AGENT);
    private static String webId;
    private static String icmpRuleId;

    @Test
    @Order(1)
    void createGroupAndRules() throws Exception {
        Map<String, Object> web = skein.show("security", "group", "create", "--description", "web tier", "web");
        webId = (String) web.get("id");
        assertEquals("web", web.get("name"));
        assertEquals("web tier", web.get("description"));
        assertEquals(true, web.get("stateful"));
        assertEquals(2, ((List<?>) web.get("rules")).size(), "egress IPv4 and IPv6: " + web);

        Map<String, Object> ssh = skein.show("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22",
                "--remote-ip", "10.0.0.0/8", "web");
        assertEquals("tcp", ssh.get("protocol"));
        assertEquals(22, ssh.get("port_range_min"));
        assertEquals(22, ssh.get("port_range_max"));
        assertEquals("10.0.0.0/8", ssh.get("remote_ip_prefix"));
        assertEquals("ingress", ssh.get("direction"));
        assertEquals("IPv4", ssh.get("ether_type"));
        assertEquals(webId, ssh.get("security_group_id"));

        Map<String, Object> icmp = skein.show("security", "group", "rule", "create", "--protocol", "icmp", "web");
        icmpRuleId = (String) icmp.get("id");
        assertEquals("icmp", icmp.get("protocol"));
        assertEquals("0.0.0.0/0", icmp.get("remote_ip_prefix"));

        Map<String, Object> dns = skein.show("security", "group", "rule", "create", "--protocol", "udp", "--dst-port", "53:54",
                "--remote-ip", "192.0.2.9/24", "web");
        assertEquals("192.0.2.0/24", dns.get("remote_ip_prefix"), "host bits cleared");
        Map<String, Object> ping6 = skein.show("security", "group", "rule", "create", "--ethertype", "IPv6", "--protocol", "icmp",
                "--icmp-type", "128", "web");
        assertEquals("ipv6-icmp", ping6.get("protocol"));
        assertEquals(128, ping6.get("port_range_min"));
    }

    @Test
    @Order(2)
    void refusedRulesSayWhy() throws Exception {
        AllInOne.Result dup = skein.cli("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22",
                "--remote-ip", "10.0.0.0/8", "web");
        assertNotEquals(0, dup.exit());
        assertTrue(dup.out().contains("409") && dup.out().contains("already exists"), dup.out());

        AllInOne.Result mismatch = skein.cli("security", "group", "rule", "create", "--ethertype", "IPv6", "--remote-ip", "10.0.0.0/8", "web");
        assertNotEquals(0, mismatch.exit());
        assertTrue(mismatch.out().contains("400") && mismatch.out().contains("Conflicting value ethertype IPv6"), mismatch.out());

        AllInOne.Result stateless = skein.cli("security", "group", "create", "--stateless", "nope");
        assertNotEquals(0, stateless.exit());
        assertTrue(stateless.out().contains("400") && stateless.out().contains("stateful"), stateless.out());
    }

    @Test
    @Order(3)
    void listShowAndDeleteRules() throws Exception {
        List<Map<String, Object>> rules = skein.list("security", "group", "rule", "list", "web");
        assertEquals(6, rules.size(), rules::toString);
        Set<String> summary = rules.stream().map(r -> r.get("IP Protocol") + " " + r.get("Port Range") + " " + r.get("IP Range"))
                .collect(Collectors.toSet());
        assertTrue(summary.contains("tcp 22:22 10.0.0.0/8"), summary::toString);
        assertTrue(summary.contains("udp 53:54 192.0.2.0/24"), summary::toString);
        assertTrue(summary.contains("ipv6-icmp type=128 ::/0"), summary::toString);

        assertEquals(0, skein.cli("security", "group", "rule", "delete", icmpRuleId).exit());
        assertEquals(5, skein.list("security", "group", "rule", "list", "web").size());
        AllInOne.Result gone = skein.cli("security", "group", "rule", "show", icmpRuleId);
        assertNotEquals(0, gone.exit());

        Map<String, Object> web = skein.show("security", "group", "show", "web");
        assertEquals(5, ((List<?>) web.get("rules")).size());
        assertEquals(6, web.get("revision_number"), "created at 1, four rules added, one deleted");
    }

    @Test
    @Order(4)
    void portsAndGroupsInUse() throws Exception {
        assertEquals(0, skein.cli("network", "create", "sg-net").exit());
        assertEquals(0, skein.cli("subnet", "create", "--network", "sg-net", "--subnet-range", "198.51.100.0/24", "sg-v4").exit());
        Map<String, Object> p1 = skein.show("port", "create", "--network", "sg-net", "--security-group", "web", "sg-p1");
        assertEquals(List.of(webId), p1.get("security_group_ids"));
        Map<String, Object> p2 = skein.show("port", "create", "--network", "sg-net", "sg-p2");
        String defaultId = (String) skein.show("security", "group", "show", "default").get("id");
        assertEquals(List.of(defaultId), p2.get("security_group_ids"));

        AllInOne.Result inUse = skein.cli("security", "group", "delete", "web");
        assertNotEquals(0, inUse.exit());
        assertTrue(inUse.out().contains("409") && inUse.out().contains("Security Group " + webId + " in use"), inUse.out());

        AllInOne.Result rename = skein.cli("security", "group", "set", "--name", "renamed", "default");
        assertNotEquals(0, rename.exit());
        assertTrue(rename.out().contains("409"), rename.out());

        assertEquals(0, skein.cli("port", "delete", "sg-p1").exit());
        assertEquals(0, skein.cli("security", "group", "delete", "web").exit());
        assertTrue(skein.list("security", "group", "list").stream().noneMatch(g -> "web".equals(g.get("Name"))));
    }
}
