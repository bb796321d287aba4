package io.github.diffusion4j.cli;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper the CLI prints with ({@code --json}: one object on stdout). */
public final class Json {
    private Json() {}

    public static final JsonMapper MAPPER = JsonMapper.builder().disable(SerializationFeature.INDENT_OUTPUT).build();

    /** Prints {@code value} as one line of JSON on stdout. */
    public static void print(Object value) {
        System.out.println(MAPPER.writeValueAsString(value));
    }
}
