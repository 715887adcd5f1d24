package dev.nexus.zerocopy;

import dev.nexus.zerocopy.internal.BatchLayout;
import dev.nexus.zerocopy.internal.ColumnData;
import java.util.List;
import java.util.Objects;

/** Checks that foreign buffers match a schema and are large enough before a batch is made over them. */
final class ImportCheck {

    private ImportCheck() {
    }

    static void check(Schema schema, int rows, int offset, List<ColumnData> columns) {
        if (rows < 0 || offset < 0) {
            throw new IllegalArgumentException("rows and offset must be >= 0: rows=" + rows + " offset=" + offset);
        }
        if (columns.size() != schema.size()) {
            throw new IllegalArgumentException("the import has " + columns.size() + " columns, the schema "
                    + schema.size() + ": " + schema);
        }
        long end = (long) offset + rows;
        for (int c = 0; c < columns.size(); c++) {
            ColumnData data = Objects.requireNonNull(columns.get(c), "column " + c);
            Field field = schema.field(c);
            String where = "imported column " + c + " '" + field.name() + "'";
            if (data.type() != field.type() || !Objects.equals(data.childType(), field.childType())) {
                throw new IllegalArgumentException(where + " is " + data.type()
                        + (data.childType() == null ? "" : "<" + data.childType() + ">") + ", the schema says "
                        + field);
            }
            if (data.length() != rows) {
                throw new IllegalArgumentException(where + " has " + data.length() + " rows, the batch " + rows);
            }
            if (data.nullCount() < -1 || data.nullCount() > rows) {
                throw new IllegalArgumentException(where + ": null count " + data.nullCount() + " is out of [0, "
                        + rows + "] (or -1 for unknown)");
            }
            if (data.nullCount() != 0 && data.hasValidity() && !field.nullable()) {
                throw new IllegalArgumentException(where + " has a validity bitmap with " + (data.nullCount() < 0
                        ? "an unknown number of" : data.nullCount()) + " nulls but the field is not nullable");
            }
            if (data.nullCount() > 0 && !data.hasValidity()) {
                throw new IllegalArgumentException(where + " has " + data.nullCount() + " nulls but no validity"
                        + " bitmap");
            }
            need(where, "validity", data.hasValidity() ? data.validity().byteSize() : Long.MAX_VALUE,
                    BatchLayout.bitmapBytes(end));
            switch (field.type()) {
                case BOOL -> need(where, "values", data.values().byteSize(), BatchLayout.bitmapBytes(end));
                case UTF8, BINARY, LIST -> need(where, "offsets", data.offsets().byteSize(), (end + 1) * 4);
                default -> need(where, "values", data.values().byteSize(), end * field.type().byteWidth());
            }
        }
    }

    private static void need(String where, String buffer, long have, long need) {
        if (have < need) {
            throw new IllegalArgumentException(where + ": the " + buffer + " buffer has " + have + " bytes, "
                    + need + " are needed for its rows");
        }
    }
}
