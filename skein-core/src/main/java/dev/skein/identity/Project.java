package dev.skein.identity;

public record Project(String id, String domainId, String name, String description, boolean enabled) {}
