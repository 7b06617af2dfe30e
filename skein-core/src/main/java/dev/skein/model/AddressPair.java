package dev.skein.model;

/** An allowed_address_pairs entry; macAddress null means the port's own MAC. */
public record AddressPair(String ipAddress, String macAddress) {}
