package org.ehrarchive.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.hibernate.resource.jdbc.spi.StatementInspector;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;

/**
 * Records the SQL Hibernate sends, for tests that count the statements of a read (an N+1 shows as a count that grows
 * with the data). {@link #onThisThread} records what the calling thread sends; {@link #everywhere} records every
 * thread's (an HTTP request runs on a worker thread), so filter what it returns by table.
 */
@PersistenceUnitExtension
public class SqlStatements implements StatementInspector {

    private static final ThreadLocal<List<String>> THREAD = new ThreadLocal<>();
    private static volatile List<String> global;

    @Override
    public String inspect(String sql) {
        List<String> here = THREAD.get();
        if (here != null) {
            here.add(sql);
        }
        List<String> all = global;
        if (all != null) {
            all.add(sql);
        }
        return sql;
    }

    /** What was run, and the SQL the calling thread sent while running it. */
    public record Recorded<T>(T result, List<String> statements) {
    }

    public static <T> Recorded<T> onThisThread(Supplier<T> work) {
        List<String> statements = new java.util.ArrayList<>();
        THREAD.set(statements);
        try {
            T result = work.get();
            return new Recorded<>(result, List.copyOf(statements));
        } finally {
            THREAD.remove();
        }
    }

    public static synchronized <T> Recorded<T> everywhere(Supplier<T> work) {
        List<String> statements = new CopyOnWriteArrayList<>();
        global = statements;
        try {
            T result = work.get();
            return new Recorded<>(result, List.copyOf(statements));
        } finally {
            global = null;
        }
    }
}
