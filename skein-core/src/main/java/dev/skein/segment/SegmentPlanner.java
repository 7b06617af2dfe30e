package dev.skein.segment;

import dev.skein.error.NeutronException;
import dev.skein.ipam.Range;
import dev.skein.ipam.RangeAllocator;
import dev.skein.model.NetworkType;
import dev.skein.model.Segment;
import dev.skein.store.SegmentRepository;

import java.math.BigInteger;
import java.util.List;

/** Chooses and validates the L2 segment of a network; the store's unique key makes a claim exclusive. */
public final class SegmentPlanner {
    public static final int MAX_VLAN = 4094;
    public static final int MAX_VNI = (1 << 24) - 1;
    /** Neutron's limit, and the width of the store's column. */
    public static final int MAX_PHYSICAL_NETWORK = 64;

    private final List<Range> tenantVniRanges;
    private final RangeAllocator allocator;

    public SegmentPlanner(List<Range> tenantVniRanges, RangeAllocator allocator) {
        this.tenantVniRanges = tenantVniRanges;
        this.allocator = allocator;
    }

    /** A tenant network's VXLAN segment with a free VNI; 503 when the configured range is used up. */
    public Segment allocateTenant(SegmentRepository repo, String networkId) {
        BigInteger vni = allocator.allocate(tenantVniRanges, new RangeAllocator.Claims() {
            public boolean tryClaim(BigInteger v) { return repo.tryClaim(NetworkType.VXLAN, null, v.longValueExact(), networkId); }
            public long countClaimed(BigInteger f, BigInteger l) { return repo.countClaimed(NetworkType.VXLAN, null, f, l); }
        }).orElseThrow(() -> new NeutronException(503, "NoNetworkAvailable",
                "Unable to create the network. No tenant network is available for allocation."));
        return new Segment(NetworkType.VXLAN, null, vni.intValueExact());
    }

    /** Checks provider:* attributes as an admin gave them and claims the segment; 409 if it is taken. */
    public Segment claimProvider(SegmentRepository repo, String networkId, String type, String physnet, Integer segId) {
        NetworkType t = NetworkType.fromWire(type);
        if (t == null) {
            throw NeutronException.invalidInput("network_type value '" + type + "' not supported; supported: flat, vlan, vxlan");
        }
        if (physnet != null && physnet.length() > MAX_PHYSICAL_NETWORK) {
            throw NeutronException.invalidAttribute("provider:physical_network",
                    "'" + physnet + "' exceeds maximum length of " + MAX_PHYSICAL_NETWORK);
        }
        Segment seg = switch (t) {
            case FLAT -> {
                if (physnet == null || physnet.isEmpty()) throw NeutronException.invalidInput("physical_network required for flat provider network");
                if (segId != null) throw NeutronException.invalidInput("segmentation_id specified for flat provider network");
                yield new Segment(t, physnet, null);
            }
            case VLAN -> {
                if (physnet == null || physnet.isEmpty()) throw NeutronException.invalidInput("physical_network required for VLAN provider network");
                if (segId == null) throw NeutronException.invalidInput("segmentation_id required for VLAN provider network");
                if (segId < 1 || segId > MAX_VLAN) {
                    throw NeutronException.invalidInput("segmentation_id out of range (1 through " + MAX_VLAN + ")");
                }
                yield new Segment(t, physnet, segId);
            }
            case VXLAN -> {
                if (physnet != null) throw NeutronException.invalidInput("provider:physical_network specified for vxlan network");
                if (segId != null && (segId < 1 || segId > MAX_VNI)) {
                    throw NeutronException.invalidInput("segmentation_id out of range (1 through " + MAX_VNI + ")");
                }
                yield segId == null ? null : new Segment(t, null, segId);
            }
        };
        if (seg == null) return allocateTenant(repo, networkId);
        if (!repo.tryClaim(seg.type(), seg.physicalNetwork(), seg.uniqueKey(), networkId)) {
            throw switch (t) {
                case FLAT -> NeutronException.conflict("FlatNetworkInUse",
                        "Unable to create the flat network. Physical network " + physnet + " is in use.");
                case VLAN -> NeutronException.conflict("VlanIdInUse", "Unable to create the network. The VLAN "
                        + segId + " on physical network " + physnet + " is in use.");
                case VXLAN -> NeutronException.conflict("TunnelIdInUse",
                        "Unable to create the network. The tunnel ID " + segId + " is in use.");
            };
        }
        return seg;
    }
}
