package dev.nexus.zerocopy.arrow;

import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import java.util.Objects;

/**
 * The Arrow C Data Interface format strings of Nexus column types, both ways: {@code "l"} is INT64,
 * {@code "u"} UTF8, {@code "tsu:UTC"} TIMESTAMP, {@code "+l"} a LIST (whose child has its own format).
 */
public final class ArrowFormats {

    private ArrowFormats() {
    }

    /**
     * The format string of a field's column ({@code "+l"} for a LIST).
     *
     * @param field a field
     * @return its format
     */
    public static String format(Field field) {
        return Objects.requireNonNull(field, "field").type().arrowFormat();
    }

    /**
     * The format string of a LIST field's child.
     *
     * @param field a LIST field
     * @return the child's format
     * @throws IllegalArgumentException if the field is not a LIST
     */
    public static String childFormat(Field field) {
        if (Objects.requireNonNull(field, "field").type() != ColumnType.LIST) {
            throw new IllegalArgumentException("only a LIST field has a child: " + field);
        }
        return field.childType().arrowFormat();
    }

    /**
     * The column type of a format string.
     *
     * @param format an Arrow format string
     * @return the type
     * @throws IllegalArgumentException if no Nexus type has that format (the message names it)
     */
    public static ColumnType typeOf(String format) {
        Objects.requireNonNull(format, "format");
        for (ColumnType type : ColumnType.values()) {
            if (type.arrowFormat().equals(format)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Arrow format '" + format + "' has no Nexus column type (supported: c s i"
                + " l f g b u z tsu:UTC +l)");
    }
}
