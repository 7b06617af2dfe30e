package dev.skein.model;

public record HostRoute(String destination, String nexthop) {}
