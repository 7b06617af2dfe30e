package dev.skein.model;

/** The L2 segment a network rides on: what provider:* attributes describe. */
public record Segment(NetworkType type, String physicalNetwork, Integer segmentationId) {

    /** The value the store keeps unique per (type, physical network); flat segments have no id of their own. */
    public long uniqueKey() { return segmentationId == null ? 0 : segmentationId; }
}
