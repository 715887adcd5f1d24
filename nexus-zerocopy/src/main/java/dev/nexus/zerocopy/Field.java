package dev.nexus.zerocopy;

import java.util.Objects;

/**
 * A named, typed column of a {@link Schema}. Value semantics: two fields are equal when name, type,
 * nullability and child type are.
 *
 * @param name the column name, not empty
 * @param type the column type
 * @param nullable whether the column may hold nulls (then it has a validity bitmap)
 * @param childType the element type of a LIST column, {@code null} for every other type
 */
public record Field(String name, ColumnType type, boolean nullable, ColumnType childType) {

    /**
     * Validates a field.
     *
     * @param name the column name, not empty
     * @param type the column type
     * @param nullable whether the column may hold nulls
     * @param childType the element type of a LIST (a byte-aligned fixed-width type), otherwise null
     * @throws NullPointerException if {@code name} or {@code type} is null, or {@code type} is LIST
     *     and {@code childType} is null
     * @throws IllegalArgumentException if the name is empty, a non-LIST field has a child type, or a
     *     LIST child type is not a byte-aligned fixed-width type
     */
    public Field {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a field name must not be empty");
        }
        if (type == ColumnType.LIST) {
            Objects.requireNonNull(childType, "childType");
            if (!childType.isListChild()) {
                throw new IllegalArgumentException("a LIST child must be a byte-aligned fixed-width type"
                        + " (INT8..INT64, FLOAT32/64, TIMESTAMP): field '" + name + "' childType=" + childType);
            }
        } else if (childType != null) {
            throw new IllegalArgumentException("only a LIST field has a child type: field '" + name + "' type="
                    + type + " childType=" + childType);
        }
    }

    /**
     * A field of a non-LIST type.
     *
     * @param name the column name, not empty
     * @param type the column type, not LIST (use {@link #list})
     * @param nullable whether the column may hold nulls
     * @return the field
     * @throws IllegalArgumentException if {@code type} is LIST or the name is empty
     */
    public static Field of(String name, ColumnType type, boolean nullable) {
        if (type == ColumnType.LIST) {
            throw new IllegalArgumentException("a LIST field needs a child type: use Field.list(name, childType,"
                    + " nullable) for field '" + name + "'");
        }
        return new Field(name, type, nullable, null);
    }

    /**
     * A LIST field whose elements are of {@code childType} (the elements themselves are never null).
     *
     * @param name the column name, not empty
     * @param childType a byte-aligned fixed-width type (INT8..INT64, FLOAT32/64, TIMESTAMP)
     * @param nullable whether a row's list may be null
     * @return the field
     * @throws IllegalArgumentException if the child type is not byte-aligned fixed-width
     */
    public static Field list(String name, ColumnType childType, boolean nullable) {
        return new Field(name, ColumnType.LIST, nullable, Objects.requireNonNull(childType, "childType"));
    }

    @Override
    public String toString() {
        return name + ":" + (type == ColumnType.LIST ? "LIST<" + childType + ">" : type.name())
                + (nullable ? "?" : "");
    }
}
