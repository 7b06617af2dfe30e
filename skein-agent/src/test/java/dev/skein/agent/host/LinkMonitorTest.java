package dev.skein.agent.host;

import dev.skein.agent.host.KernelEvents.LinkChange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Lines as {@code ip -o monitor link} (iproute2 6.1) printed them while a tap was made, plugged and deleted. */
class LinkMonitorTest {

    @Test
    void eachLineNamesItsDeviceAndItsState() {
        assertEquals(new LinkChange("tapprobe1", false, null, false, 1500), LinkMonitor.parse("3: tapprobe1@vprobe1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 "
                + "qdisc noop state DOWN group default \\    link/ether 4a:77:f5:b4:c3:bb brd ff:ff:ff:ff:ff:ff"));
        assertEquals(new LinkChange("tapprobe1", false, "skbr-probe", true, 1500), LinkMonitor.parse("3: tapprobe1@vprobe1: <NO-CARRIER,BROADCAST,MULTICAST,UP,"
                + "LOWER_UP> mtu 1500 master skbr-probe state LOWERLAYERDOWN \\    link/ether 4a:77:f5:b4:c3:bb"));
        assertEquals(new LinkChange("skbr-probe", false, null, false, 1500), LinkMonitor.parse("4: skbr-probe: <BROADCAST,MULTICAST> mtu 1500 qdisc noop "
                + "state DOWN group default event FEATURE CHANGE \\    link/ether e6:71:7c:eb:99:5e brd ff:ff:ff:ff:ff:ff"));
        assertEquals(new LinkChange("tapprobe1", true, "skbr-probe", false, 1500), LinkMonitor.parse("Deleted 3: tapprobe1@NONE: <BROADCAST,MULTICAST> mtu 1500 "
                + "master skbr-probe state DOWN \\    link/ether 4a:77:f5:b4:c3:bb"));
        assertEquals(new LinkChange("vprobe1", false, null, false, 1450), LinkMonitor.parse("2: vprobe1@NONE: <BROADCAST,MULTICAST> mtu 1450 qdisc noop "
                + "state DOWN group default \\    link/ether 2a:58:18:bd:13:60 brd ff:ff:ff:ff:ff:ff"));
    }

    @Test
    void aLineThatNamesNoDeviceMeansAnythingMayHaveChanged() {
        assertEquals(LinkChange.ANY, LinkMonitor.parse("Error: something went wrong"));
        assertEquals(LinkChange.ANY, LinkMonitor.parse(""));
    }
}
