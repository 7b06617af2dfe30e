package dev.skein.model;

public record FixedIp(String subnetId, String ipAddress) {}
