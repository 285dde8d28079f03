package org.ehrarchive.search.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.phonetic.DoubleMetaphoneFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.ehrarchive.ArchiveConfig;
import org.ehrarchive.search.IndexedPatient;
import org.ehrarchive.search.IndexedText;
import org.ehrarchive.search.PatientHit;
import org.ehrarchive.search.PatientQuery;
import org.ehrarchive.search.SearchIndex;
import org.ehrarchive.search.TextHit;

/**
 * The in-process search adapter (architecture D3): a Lucene index under {@code <data-dir>/index}.
 * <ul>
 *   <li>Names are indexed three ways: as words (ASCII-folded, so "José" finds "Jose"), fuzzily at query time
 *       (one edit for short words, two for longer ones), and as Double Metaphone codes (so "Smyth" finds "Smith").</li>
 *   <li>Birth dates are indexed as year, year-month and full date, so a partial date finds its patients.</li>
 *   <li>Texts use English stemming ("increasing" finds "increased") and stored offsets for highlighting.</li>
 * </ul>
 * Only one process can write a Lucene index; the writer is opened on first need and kept, so the first process
 * to index owns the index until it stops (ADR 0007). Others read it.
 */
@ApplicationScoped
public class LuceneSearchIndex implements SearchIndex {

    private static final String KEY = "key";
    private static final String TYPE = "type";
    private static final String PATIENT = "patient";
    private static final String TEXT = "text";
    private static final String NAME = "name";
    private static final String NAME_PHONETIC = "name_phonetic";
    private static final String BIRTH_DATE = "birth_date";
    private static final String IDENTIFIER = "identifier";
    private static final FieldType HIGHLIGHTABLE_TEXT = highlightableText();

    private final Path path;
    private final Analyzer nameAnalyzer = new NameAnalyzer(false);
    private final Analyzer phoneticAnalyzer = new NameAnalyzer(true);
    private final Analyzer textAnalyzer = new EnglishAnalyzer();
    private final Analyzer analyzer = new PerFieldAnalyzerWrapper(textAnalyzer,
            Map.of(NAME, nameAnalyzer, NAME_PHONETIC, phoneticAnalyzer));
    private Directory directory;
    private IndexWriter writer;
    private DirectoryReader reader;

    @Inject
    public LuceneSearchIndex(ArchiveConfig config) {
        this(config.dataDir().resolve("index"));
    }

    /** An index in this directory; used directly by tests and tools. */
    public LuceneSearchIndex(Path path) {
        this.path = path.toAbsolutePath();
    }

    @Override
    public synchronized boolean canWrite() {
        if (writer != null) {
            return true;
        }
        try {
            writer = new IndexWriter(directory(), new IndexWriterConfig(analyzer).setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
            writer.commit(); // an empty index exists from now on, so readers in other processes can open it
            return true;
        } catch (LockObtainFailedException held) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the search index at " + path, e);
        }
    }

    @Override
    public synchronized void index(List<IndexedPatient> patients, List<IndexedText> texts) {
        if (!canWrite()) {
            throw new IllegalStateException("Another archive process owns the search index at " + path);
        }
        try {
            for (IndexedPatient patient : patients) {
                writer.updateDocument(new Term(KEY, "patient:" + patient.patientId()), patientDocument(patient));
            }
            for (IndexedText text : texts) {
                writer.updateDocument(new Term(KEY, text.key()), textDocument(text));
            }
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the search index", e);
        }
    }

    @Override
    public List<PatientHit> findPatients(PatientQuery query, int limit) {
        if (query.isEmpty()) {
            return List.of();
        }
        BooleanQuery.Builder all = new BooleanQuery.Builder().add(new TermQuery(new Term(TYPE, PATIENT)), Occur.FILTER);
        if (!isBlank(query.name())) {
            List<String> words = terms(nameAnalyzer, NAME, query.name());
            if (words.isEmpty()) {
                return List.of();
            }
            for (String word : words) {
                all.add(nameWord(word), Occur.MUST);
            }
        }
        if (!isBlank(query.birthDate())) {
            all.add(new TermQuery(new Term(BIRTH_DATE, query.birthDate().trim())), Occur.FILTER);
        }
        if (!isBlank(query.identifier())) {
            all.add(new TermQuery(new Term(IDENTIFIER, query.identifier().trim().toLowerCase(Locale.ROOT))), Occur.FILTER);
        }
        return search(all.build(), limit, (searcher, hits) -> {
            List<PatientHit> found = new ArrayList<>();
            for (ScoreDoc hit : hits.scoreDocs) {
                Document document = searcher.storedFields().document(hit.doc);
                found.add(new PatientHit(document.getField("patient_id").numericValue().longValue(), hit.score,
                        values(document, "name_shown"), values(document, "birth_date_shown"),
                        values(document, "identifier_shown"), document.get("sex")));
            }
            return found;
        });
    }

    @Override
    public List<TextHit> searchText(String words, int limit) {
        if (isBlank(words)) {
            return List.of();
        }
        List<String> terms = terms(textAnalyzer, TEXT, words);
        if (terms.isEmpty()) {
            return List.of();
        }
        BooleanQuery.Builder builder = new BooleanQuery.Builder().add(new TermQuery(new Term(TYPE, TEXT)), Occur.FILTER);
        for (String term : new LinkedHashSet<>(terms)) {
            builder.add(new TermQuery(new Term(TEXT, term)), Occur.MUST);
        }
        Query query = builder.build();
        return search(query, limit, (searcher, hits) -> {
            UnifiedHighlighter highlighter = UnifiedHighlighter.builder(searcher, analyzer)
                    .withFormatter(new DefaultPassageFormatter("<mark>", "</mark>", " … ", true))
                    .withMaxLength(100_000).build();
            String[] snippets = highlighter.highlight(TEXT, query, hits, 2);
            List<TextHit> found = new ArrayList<>();
            for (int i = 0; i < hits.scoreDocs.length; i++) {
                Document document = searcher.storedFields().document(hits.scoreDocs[i].doc);
                String snippet = snippets[i] != null ? snippets[i] : escapeHtml(abbreviate(document.get(TEXT)));
                found.add(new TextHit(document.get(KEY), document.getField("patient_id").numericValue().longValue(),
                        document.getField("document_id").numericValue().longValue(), document.get("kind"), document.get("title"),
                        document.get("date"), hits.scoreDocs[i].score, snippet));
            }
            return found;
        });
    }

    @Override
    public synchronized void clear() {
        if (!canWrite()) {
            throw new IllegalStateException("Another archive process owns the search index at " + path);
        }
        try {
            writer.deleteAll();
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not clear the search index", e);
        }
    }

    @Override
    public long size() {
        return search(null, 0, (searcher, hits) -> (long) searcher.getIndexReader().numDocs());
    }

    @PreDestroy
    synchronized void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (directory != null) {
            directory.close();
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------

    private interface Read<T> {
        T apply(IndexSearcher searcher, TopDocs hits) throws IOException;
    }

    private <T> T search(Query query, int limit, Read<T> read) {
        try {
            DirectoryReader current;
            synchronized (this) {
                current = currentReader();
                if (current != null) {
                    current.incRef(); // a newer reader may replace it while this search runs
                }
            }
            if (current == null) {
                return read.apply(new IndexSearcher(new org.apache.lucene.index.MultiReader()), new TopDocs(
                        new org.apache.lucene.search.TotalHits(0, org.apache.lucene.search.TotalHits.Relation.EQUAL_TO), new ScoreDoc[0]));
            }
            try {
                IndexSearcher searcher = new IndexSearcher(current);
                TopDocs hits = query == null ? null : searcher.search(query, Math.max(1, limit));
                return read.apply(searcher, hits);
            } finally {
                current.decRef();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not search the index", e);
        }
    }

    /** The newest view of the index: this process's own writes, or another process's commits. */
    private synchronized DirectoryReader currentReader() throws IOException {
        if (reader == null) {
            if (writer != null) {
                reader = DirectoryReader.open(writer);
            } else if (DirectoryReader.indexExists(directory())) {
                reader = DirectoryReader.open(directory());
            } else {
                return null;
            }
        }
        DirectoryReader newer = writer != null ? DirectoryReader.openIfChanged(reader, writer) : DirectoryReader.openIfChanged(reader);
        if (newer != null) {
            reader.decRef(); // closed once the searches still using it are done
            reader = newer;
        }
        return reader;
    }

    private synchronized Directory directory() throws IOException {
        if (directory == null) {
            Files.createDirectories(path);
            directory = FSDirectory.open(path);
        }
        return directory;
    }

    // ---- documents --------------------------------------------------------------------------------------

    private static Document patientDocument(IndexedPatient patient) {
        Document document = new Document();
        document.add(new StringField(KEY, "patient:" + patient.patientId(), Field.Store.YES));
        document.add(new StringField(TYPE, PATIENT, Field.Store.NO));
        document.add(new StoredField("patient_id", patient.patientId()));
        for (String name : patient.names()) {
            document.add(new TextField(NAME, name, Field.Store.NO));
            document.add(new TextField(NAME_PHONETIC, name, Field.Store.NO));
            document.add(new StoredField("name_shown", name));
        }
        Set<String> datePrefixes = new LinkedHashSet<>();
        for (String date : patient.birthDates()) {
            document.add(new StoredField("birth_date_shown", date));
            datePrefixes.add(date);
            if (date.length() >= 7) {
                datePrefixes.add(date.substring(0, 7));
            }
            if (date.length() >= 4) {
                datePrefixes.add(date.substring(0, 4));
            }
        }
        for (String prefix : datePrefixes) {
            document.add(new StringField(BIRTH_DATE, prefix, Field.Store.NO));
        }
        for (String identifier : patient.identifiers()) {
            document.add(new StringField(IDENTIFIER, identifier.toLowerCase(Locale.ROOT), Field.Store.NO));
            document.add(new StoredField("identifier_shown", identifier));
        }
        if (patient.sex() != null) {
            document.add(new StoredField("sex", patient.sex()));
        }
        return document;
    }

    private static Document textDocument(IndexedText text) {
        Document document = new Document();
        document.add(new StringField(KEY, text.key(), Field.Store.YES));
        document.add(new StringField(TYPE, TEXT, Field.Store.NO));
        document.add(new StoredField("patient_id", text.patientId()));
        document.add(new StoredField("document_id", text.documentId()));
        document.add(new StoredField("kind", text.kind() == null ? "" : text.kind()));
        document.add(new StoredField("title", text.title() == null ? "" : text.title()));
        if (text.date() != null) {
            document.add(new StoredField("date", text.date()));
        }
        String body = (text.title() == null ? "" : text.title() + "\n") + (text.text() == null ? "" : text.text());
        document.add(new Field(TEXT, body, HIGHLIGHTABLE_TEXT));
        return document;
    }

    private static FieldType highlightableText() {
        FieldType type = new FieldType(TextField.TYPE_STORED);
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        type.freeze();
        return type;
    }

    // ---- queries ----------------------------------------------------------------------------------------

    /** One word of a name: exactly, within a few typos, or sounding alike. */
    private Query nameWord(String word) {
        BooleanQuery.Builder either = new BooleanQuery.Builder();
        either.add(new BoostQuery(new TermQuery(new Term(NAME, word)), 4f), Occur.SHOULD);
        int edits = word.length() <= 3 ? 0 : word.length() <= 5 ? 1 : 2;
        if (edits > 0) {
            either.add(new BoostQuery(new FuzzyQuery(new Term(NAME, word), edits, 1), 2f), Occur.SHOULD);
        }
        for (String code : terms(phoneticAnalyzer, NAME_PHONETIC, word)) {
            either.add(new TermQuery(new Term(NAME_PHONETIC, code)), Occur.SHOULD);
        }
        return either.build();
    }

    private static List<String> terms(Analyzer analyzer, String field, String text) {
        List<String> terms = new ArrayList<>();
        try (TokenStream stream = analyzer.tokenStream(field, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                terms.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return terms;
    }

    private static List<String> values(Document document, String field) {
        List<String> values = new ArrayList<>();
        for (IndexableField value : document.getFields(field)) {
            values.add(value.stringValue());
        }
        return values;
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 200 ? text : text.substring(0, 200) + " …";
    }

    private static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** Words of names: lower-cased, accents folded; optionally replaced by their Double Metaphone codes. */
    private static final class NameAnalyzer extends Analyzer {
        private final boolean phonetic;

        NameAnalyzer(boolean phonetic) {
            this.phonetic = phonetic;
        }

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer tokenizer = new StandardTokenizer();
            TokenStream stream = new ASCIIFoldingFilter(new LowerCaseFilter(tokenizer));
            if (phonetic) {
                stream = new DoubleMetaphoneFilter(stream, 8, false);
            }
            return new TokenStreamComponents(tokenizer, stream);
        }
    }
}
