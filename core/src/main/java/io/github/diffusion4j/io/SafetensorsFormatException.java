package io.github.diffusion4j.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not valid safetensors (https://github.com/huggingface/safetensors); the message starts with its name. */
public class SafetensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param problem what is wrong, appended to {@code "<file name>: "} */
    public SafetensorsFormatException(Path file, String problem) {
        super(file.getFileName() + ": " + problem);
    }
}
