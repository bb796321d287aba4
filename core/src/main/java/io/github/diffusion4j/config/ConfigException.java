package io.github.diffusion4j.config;

/** A config that cannot be used: unknown key, wrong type or impossible value; the message names the key. */
public final class ConfigException extends io.github.diffusion4j.io.InputException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
