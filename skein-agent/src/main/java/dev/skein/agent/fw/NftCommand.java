package dev.skein.agent.fw;

/** One line of an nft transaction, with why the diff asked for it. */
public record NftCommand(String line, String reason) {
    @Override
    public String toString() { return line + "  # " + reason; }
}
