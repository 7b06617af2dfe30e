package dev.skein.metadata;

import dev.skein.model.FixedIp;
import dev.skein.model.InstanceMetadata;
import dev.skein.model.Port;
import dev.skein.model.Subnet;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetadataDocumentsTest {
    static final Instant T = Instant.ofEpochSecond(1_700_000_000);

    static Subnet subnet(String id, int version, String cidr, boolean dhcp, String addressMode) {
        return new Subnet(id, "p", "net", "", "", version, cidr, null, List.of(), List.of(), List.of(), dhcp,
                addressMode, addressMode, List.of(), T, T, 0);
    }

    static Port port(String id, List<FixedIp> ips) {
        return new Port(id, "p", "net", "", "", true, "fa:16:3e:00:00:01", ips, "vm", "compute:nova", "", "normal",
                List.of(), true, List.of(), "ACTIVE", List.of(), T, T, 0);
    }

    static InstanceMetadata metadata(Map<String, String> keys, String userData) {
        return new InstanceMetadata("vm", "vm-1", null, keys, userData, Map.of(), null, T, T, 0);
    }

    @Test
    void netmasksFromPrefixLengths() {
        assertEquals("255.255.255.0", MetadataDocuments.netmask(4, 24));
        assertEquals("255.240.0.0", MetadataDocuments.netmask(4, 12));
        assertEquals("0.0.0.0", MetadataDocuments.netmask(4, 0));
        assertEquals("255.255.255.255", MetadataDocuments.netmask(4, 32));
        assertEquals("ffff:ffff:ffff:ffff::", MetadataDocuments.netmask(6, 64));
    }

    @Test
    void networksAreTypedAsNovaTypesThem() {
        assertEquals("ipv4_dhcp", MetadataDocuments.networkType(subnet("s", 4, "10.0.0.0/24", true, null)));
        assertEquals("ipv4", MetadataDocuments.networkType(subnet("s", 4, "10.0.0.0/24", false, null)));
        assertEquals("ipv6_slaac", MetadataDocuments.networkType(subnet("s", 6, "2001:db8::/64", true, "slaac")));
        assertEquals("ipv6_dhcpv6-stateful", MetadataDocuments.networkType(subnet("s", 6, "2001:db8::/64", true, "dhcpv6-stateful")));
        assertEquals("ipv6_dhcpv6-stateless", MetadataDocuments.networkType(subnet("s", 6, "2001:db8::/64", true, "dhcpv6-stateless")));
        assertEquals("ipv6_dhcp", MetadataDocuments.networkType(subnet("s", 6, "2001:db8::/64", true, null)));
        assertEquals("ipv6", MetadataDocuments.networkType(subnet("s", 6, "2001:db8::/64", false, null)));
    }

    @Test
    void withoutAnAttachedHostnameTheDeviceIdMakesOne() {
        assertEquals("server-1-a", MetadataDocuments.hostname(new Instance("Server_1.A", "p", null, List.of())));
        assertEquals("instance", MetadataDocuments.hostname(new Instance("__", "p", null, List.of())));
        assertEquals(63, MetadataDocuments.hostname(new Instance("x".repeat(100), "p", null, List.of())).length());
        assertEquals("vm-1", MetadataDocuments.hostname(new Instance("vm", "p", metadata(Map.of(), null), List.of())));
    }

    @Test
    void pathsResolveLikeNovasWithExtraSlashesIgnored() {
        Subnet v6 = subnet("s6", 6, "2001:db8::/64", true, "slaac");
        Instance.Nic nic = new Instance.Nic(port("port-1-0000000000", List.of(new FixedIp("s6", "2001:db8::5"))), 1450,
                Map.of("s6", v6), List.of());
        String userData = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
        Instance vm = new Instance("vm", "p", metadata(Map.of("b", "ssh-ed25519 BBBB", "a", "ssh-ed25519 AAAA"), userData), List.of(nic));
        MetadataTree.Caller caller = new MetadataTree.Caller(nic, "2001:db8::5");

        assertEquals(Optional.of(new MetadataEntry.Text("ssh-ed25519 AAAA")),
                MetadataTree.resolve(vm, caller, "//latest/meta-data//public-keys/0/openssh-key/"));
        assertEquals(new MetadataEntry.Listing(List.of("0=a", "1=b")), MetadataTree.resolve(vm, caller, "latest/meta-data/public-keys").orElseThrow());
        assertFalse(((MetadataEntry.Listing) MetadataTree.resolve(vm, caller, "latest/meta-data").orElseThrow()).names().contains("local-ipv4"),
                "a request over IPv6 has no local IPv4 address");
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8),
                ((MetadataEntry.Bytes) MetadataTree.resolve(vm, caller, "openstack/2012-08-10/user_data").orElseThrow()).bytes());
        assertTrue(MetadataTree.resolve(vm, caller, "openstack/2012-08-10/network_data.json").isEmpty());
        assertTrue(MetadataTree.resolve(vm, caller, "openstack/2099-01-01").isEmpty());
        assertTrue(MetadataTree.resolve(vm, caller, "latest/meta-data/hostname/more").isEmpty(), "a value has no children");

        Map<String, MetadataEntry> drive = MetadataTree.configDrive(vm);
        assertTrue(drive.containsKey("openstack/latest/network_data.json"));
        assertTrue(drive.containsKey("openstack/2015-10-15/network_data.json"));
        assertFalse(drive.containsKey("openstack/2013-10-17/network_data.json"));
        assertEquals(10 * 2 + 7, drive.size(), "meta_data.json and user_data in every version, network_data.json from 2015-10-15");
    }
}
