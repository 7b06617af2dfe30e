package dev.skein.agent.metadata;

/** The controller's answer to one metadata request, passed on to the instance. */
public record MetadataAnswer(int status, String contentType, byte[] body) {}
