package dev.skein.agent.l2;

import dev.skein.agent.l2.Action.Tool;
import dev.skein.agent.l2.KernelL2State.FdbEntry;
import dev.skein.agent.l2.KernelL2State.Link;
import dev.skein.agent.l2.KernelL2State.VxlanInfo;
import dev.skein.plan.DeviceNames;
import dev.skein.plan.L2Plan;
import dev.skein.plan.Uplink;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The difference between an {@link L2Plan} and what the kernel holds, as batch lines for ip and bridge. Pure.
 *
 * <p>Only Skein's own devices (by name prefix) are created or deleted. Other devices are only ever enslaved to
 * a Skein bridge (the plan's taps and flat uplinks) or released from one; nothing is flushed, and a device
 * that already matches gets no command at all, so reconciling a correct host changes nothing.
 */
public final class L2Diff {
    private static final String ZERO_MAC = "00:00:00:00:00:00";
    /** Anything else could end a batch line early or start a new one. */
    private static final Pattern SAFE_TOKEN = Pattern.compile("[A-Za-z0-9_.:@-]+");

    public record Result(List<Action> actions, List<String> pluggedPorts, List<String> waitingPorts, List<String> notes) {}

    private final Map<String, Link> links;
    private final KernelL2State state;
    private final List<Action> deletes = new ArrayList<>();
    private final List<Action> creates = new ArrayList<>();
    private final List<Action> sets = new ArrayList<>();
    private final List<Action> releases = new ArrayList<>();
    private final List<Action> fdb = new ArrayList<>();
    private final List<String> plugged = new ArrayList<>();
    private final List<String> waiting = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Every Skein device the plan wants, and for every device that belongs in a Skein bridge, that bridge. */
    private final Set<String> wanted = new HashSet<>();
    private final Map<String, String> memberOf = new HashMap<>();
    private final Set<String> deleted = new HashSet<>();

    private L2Diff(KernelL2State state) {
        this.state = state;
        this.links = new TreeMap<>(state.links());
    }

    public static Result compute(L2Plan plan, KernelL2State state) {
        L2Diff d = new L2Diff(state);
        plan.problems().forEach(p -> d.notes.add("plan: " + p));
        for (L2Plan.Network net : plan.networks()) d.network(net);
        d.removeUnwanted();
        d.releaseStrays();
        List<Action> actions = new ArrayList<>();
        actions.addAll(d.deletes);
        actions.addAll(d.creates);
        actions.addAll(d.sets);
        actions.addAll(d.releases);
        actions.addAll(d.fdb);
        return new Result(actions, d.plugged, d.waiting, d.notes);
    }

    private void network(L2Plan.Network net) {
        if (!net.realisable()) {
            notes.add("network " + net.networkId() + " not realised: " + net.uplink().blocker());
            return;
        }
        wanted.add(net.bridge());
        Link bridge = existing(net.bridge(), "bridge", l -> true);
        if (bridge == null) {
            create("link add " + net.bridge() + " mtu " + net.mtu() + " type bridge", "bridge missing");
            bridge = new Link(net.bridge(), "bridge", null, net.mtu(), false, null);
        }
        set(bridge, null, net.mtu(), true);

        switch (net.uplink()) {
            case Uplink.Vxlan v -> vxlan(net, v);
            case Uplink.Flat f -> flat(net, f);
            case Uplink.Vlan v -> throw new IllegalStateException("VLAN uplink " + v.device() + " passed as realisable");
            case Uplink.Unavailable u -> throw new IllegalStateException("unavailable uplink passed as realisable: " + u.reason());
        }

        for (L2Plan.Plug plug : net.plugs()) {
            Link tap = links.get(plug.tap());
            if (tap == null) {
                waiting.add(plug.portId());
                continue;
            }
            memberOf.put(plug.tap(), net.bridge());
            set(tap, net.bridge(), net.mtu(), plug.up());
            plugged.add(plug.portId());
        }
    }

    private void vxlan(L2Plan.Network net, Uplink.Vxlan v) {
        wanted.add(v.device());
        memberOf.put(v.device(), net.bridge());
        VxlanInfo want = new VxlanInfo(v.vni(), v.localIp(), Uplink.Vxlan.UDP_PORT, false);
        Link dev = existing(v.device(), "vxlan", l -> want.equals(l.vxlan()));
        List<FdbEntry> current;
        if (dev == null) {
            create("link add " + v.device() + " mtu " + net.mtu() + " type vxlan id " + v.vni() + " local "
                    + v.localIp() + " dstport " + Uplink.Vxlan.UDP_PORT + " nolearning", "VXLAN device missing");
            dev = new Link(v.device(), "vxlan", null, net.mtu(), false, want);
            current = List.of();
        } else {
            current = state.fdb().stream().filter(e -> e.device().equals(v.device()) && e.dst() != null).toList();
        }
        set(dev, net.bridge(), net.mtu(), true);
        remotes(v, current);
    }

    /** Head-end replication list (all-zero MAC, one entry per remote host) and one pinned entry per remote port. */
    private void remotes(Uplink.Vxlan v, List<FdbEntry> current) {
        Set<String> flood = new LinkedHashSet<>(v.floodRemotes());
        Map<String, String> pins = new TreeMap<>();
        v.remoteMacs().forEach(m -> pins.put(m.mac(), m.remoteIp()));
        Set<String> haveFlood = new HashSet<>();
        Map<String, String> havePins = new HashMap<>();
        for (FdbEntry e : current.stream().sorted(Comparator.comparing(FdbEntry::mac).thenComparing(FdbEntry::dst)).toList()) {
            if (!safe(e.mac(), e.dst())) {
                notes.add("left alone FDB entry with unexpected text on " + v.device());
            } else if (e.mac().equals(ZERO_MAC)) {
                if (flood.contains(e.dst())) haveFlood.add(e.dst());
                else fdb.add(bridge("fdb del " + ZERO_MAC + " dev " + v.device() + " dst " + e.dst(), "flood remote " + e.dst() + " not in plan"));
            } else if (e.dst().equals(pins.get(e.mac()))) {
                havePins.put(e.mac(), e.dst());
            } else if (!pins.containsKey(e.mac())) {
                fdb.add(bridge("fdb del " + e.mac() + " dev " + v.device() + " dst " + e.dst(), "remote MAC " + e.mac() + " not in plan"));
            }
        }
        for (String dst : flood) {
            if (!haveFlood.contains(dst)) {
                fdb.add(bridge("fdb append " + ZERO_MAC + " dev " + v.device() + " dst " + dst, "flood remote " + dst + " missing"));
            }
        }
        pins.forEach((mac, dst) -> {
            if (!havePins.containsKey(mac)) {
                fdb.add(bridge("fdb replace " + mac + " dev " + v.device() + " dst " + dst, "remote MAC " + mac + " not pinned to " + dst));
            }
        });
    }

    private void flat(L2Plan.Network net, Uplink.Flat f) {
        Link nic = links.get(f.device());
        if (nic == null) {
            notes.add("network " + net.networkId() + ": interface " + f.device() + " for physical network "
                    + f.physicalNetwork() + " does not exist");
        } else if (nic.master() != null && !nic.master().equals(net.bridge()) && !DeviceNames.owned(nic.master())) {
            notes.add("network " + net.networkId() + ": interface " + f.device() + " is a port of " + nic.master()
                    + ", which Skein does not own; left alone");
        } else {
            memberOf.put(f.device(), net.bridge());
            set(nic, net.bridge(), null, true);
        }
    }

    /** The named device if it has the right kind and attributes; otherwise schedules its deletion and returns null. */
    private Link existing(String name, String kind, Predicate<Link> fits) {
        Link l = links.get(name);
        if (l == null) return null;
        if (kind.equals(l.kind()) && fits.test(l)) return l;
        delete(l, "is " + describe(l) + ", must be recreated as " + kind);
        return null;
    }

    /** Deleting a bridge releases its ports, so they are looked at as released from here on. */
    private void delete(Link l, String reason) {
        deleted.add(l.name());
        deletes.add(ip("link del " + l.name(), reason));
        for (Link member : List.copyOf(links.values())) {
            if (l.name().equals(member.master())) {
                links.put(member.name(), new Link(member.name(), member.kind(), null, member.mtu(), member.up(), member.vxlan()));
            }
        }
    }

    private void create(String command, String reason) {
        creates.add(ip(command, reason));
    }

    /** One "link set" with only the attributes that differ; master and mtu null mean "leave as is". */
    private void set(Link l, String master, Integer mtu, boolean up) {
        if (!safe(l.name())) return;
        List<String> change = new ArrayList<>();
        List<String> why = new ArrayList<>();
        if (master != null && !master.equals(l.master())) {
            change.add("master " + master);
            why.add(l.master() == null ? "not in " + master : "in " + l.master() + " instead of " + master);
        }
        if (mtu != null && mtu != l.mtu()) {
            change.add("mtu " + mtu);
            why.add("mtu " + l.mtu() + " instead of " + mtu);
        }
        if (up != l.up()) {
            change.add(up ? "up" : "down");
            why.add(up ? "down" : "up");
        }
        if (!change.isEmpty()) sets.add(ip("link set " + l.name() + " " + String.join(" ", change), l.name() + " " + String.join(", ", why)));
    }

    private void removeUnwanted() {
        for (Link l : List.copyOf(links.values())) {
            if (DeviceNames.owned(l.name()) && !wanted.contains(l.name()) && safe(l.name())) {
                delete(l, describe(l) + " not in plan");
            }
        }
    }

    /** Ports of Skein's bridges that the plan does not put there; bridges being deleted release theirs anyway. */
    private void releaseStrays() {
        for (Link l : links.values()) {
            if (l.master() != null && wanted.contains(l.master()) && !memberOf.containsKey(l.name())
                    && !deleted.contains(l.name()) && safe(l.name())) {
                releases.add(ip("link set " + l.name() + " nomaster", l.name() + " is not a port of " + l.master() + " in the plan"));
            }
        }
    }

    private static String describe(Link l) {
        return (l.kind() == null ? "device" : l.kind()) + " " + l.name();
    }

    private static Action ip(String command, String reason) {
        requireSafe(command);
        return new Action(Tool.IP, command, reason);
    }

    private static Action bridge(String command, String reason) {
        requireSafe(command);
        return new Action(Tool.BRIDGE, command, reason);
    }

    private static boolean safe(String... tokens) {
        for (String t : tokens) if (t == null || !SAFE_TOKEN.matcher(t).matches()) return false;
        return true;
    }

    /** Plans carry names and addresses from the API and agents' configuration: refuse any that could inject. */
    private static void requireSafe(String command) {
        for (String token : command.split(" ")) {
            if (!safe(token)) throw new IllegalArgumentException("refusing batch line with unsafe token: " + command.strip());
        }
    }
}
