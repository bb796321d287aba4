package io.github.diffusion4j.config;

/** A config that cannot be used: unknown key, wrong type or impossible value; the message names the key. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
