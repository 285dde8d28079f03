package org.ehrarchive.identity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.codec.language.DoubleMetaphone;
import org.ehrarchive.identity.FieldEvidence.Verdict;
import org.ehrarchive.record.Coded;
import org.ehrarchive.record.ContactPoint;
import org.ehrarchive.record.Identifier;
import org.ehrarchive.record.PersonName;
import org.ehrarchive.record.PostalAddress;
import org.ehrarchive.record.TimeValue;

/**
 * Scores how likely two archived patients are one person, Fellegi–Sunter style, and says why field by field.
 *
 * <h2>The scale</h2>
 * Each field compares the best pair of values over all the values of each side and contributes a weight, a natural-log
 * likelihood ratio: how much more often the same person's records compare that way than two different people's.
 * The score is {@code 1 / (1 + e^-(PRIOR + sum of weights))} with {@link #PRIOR} {@code = -5.5}, so it reads as a
 * probability-like figure in [0, 1]: 0.5 where the evidence exactly balances the prior, 0.85 ({@link #DEFAULT_PROPOSE_AT})
 * at a log-odds of about 1.73, that is at about 7.2 weight points of net agreement. Two records with identical name,
 * birth date, sex, address and phone score about 0.9994; with the same identifier under the same authority as well,
 * practically 1. The same full name and sex with no birth date to compare stay below the threshold (0.82).
 *
 * <h2>The weights</h2>
 * <table>
 * <caption>Field weights (natural log)</caption>
 * <tr><th>field</th><th>verdict</th><th>weight</th></tr>
 * <tr><td>given</td><td>AGREE same first given name</td><td>+3.5</td></tr>
 * <tr><td>given</td><td>PARTIAL nickname (shipped groups)</td><td>+2.5</td></tr>
 * <tr><td>given</td><td>PARTIAL typo (Jaro-Winkler &ge; 0.92, or one edit with the same first letter)</td><td>+2.0</td></tr>
 * <tr><td>given</td><td>PARTIAL sound-alike (Double Metaphone), matches a middle name, given/family transposed</td><td>+2.0</td></tr>
 * <tr><td>given</td><td>PARTIAL initial only</td><td>+0.5</td></tr>
 * <tr><td>given</td><td>DISAGREE similar names but the sex differs (Eric/Erica)</td><td>&minus;3.0</td></tr>
 * <tr><td>given</td><td>DISAGREE</td><td>&minus;6.0</td></tr>
 * <tr><td>family</td><td>AGREE</td><td>+3.0</td></tr>
 * <tr><td>family</td><td>PARTIAL name change: matches a maiden or previous name</td><td>+2.5</td></tr>
 * <tr><td>family</td><td>PARTIAL part of a compound name; given/family transposed</td><td>+2.0</td></tr>
 * <tr><td>family</td><td>PARTIAL typo; sound-alike; found among the other side's (middle) names</td><td>+1.5</td></tr>
 * <tr><td>family</td><td>DISAGREE</td><td>&minus;3.0</td></tr>
 * <tr><td>suffix</td><td>AGREE / DISAGREE (Jr, Sr, II, III, IV)</td><td>+0.3 / &minus;4.0</td></tr>
 * <tr><td>birthDate</td><td>AGREE</td><td>+4.0</td></tr>
 * <tr><td>birthDate</td><td>PARTIAL day and month swapped</td><td>+2.5</td></tr>
 * <tr><td>birthDate</td><td>PARTIAL one digit off, or two digits transposed (within 9 years)</td><td>+2.0</td></tr>
 * <tr><td>birthDate</td><td>PARTIAL one day apart</td><td>+1.5</td></tr>
 * <tr><td>birthDate</td><td>PARTIAL year only agrees</td><td>+1.0</td></tr>
 * <tr><td>birthDate</td><td>DISAGREE year only, one year apart</td><td>&minus;2.0</td></tr>
 * <tr><td>birthDate</td><td>DISAGREE</td><td>&minus;6.0</td></tr>
 * <tr><td>sex</td><td>AGREE / DISAGREE other against male or female / DISAGREE male against female</td><td>+0.5 / &minus;1.0 / &minus;4.0</td></tr>
 * <tr><td>address</td><td>AGREE same first line and postal code or city</td><td>+1.0</td></tr>
 * <tr><td>address</td><td>PARTIAL same line, no town to compare; same postal code or city only</td><td>+0.2</td></tr>
 * <tr><td>address</td><td>DISAGREE (people move)</td><td>&minus;0.3</td></tr>
 * <tr><td>phone</td><td>AGREE / PARTIAL last 7 digits / DISAGREE</td><td>+1.0 / +0.5 / &minus;0.3</td></tr>
 * <tr><td>email</td><td>AGREE / DISAGREE</td><td>+1.0 / &minus;0.1</td></tr>
 * <tr><td>identifier</td><td>AGREE same system, same value</td><td>+9.0</td></tr>
 * <tr><td>identifier</td><td>DISAGREE same system, different value (sets {@code conflictingIdentifier})</td><td>&minus;12.0</td></tr>
 * <tr><td>identifier</td><td>PARTIAL same value, different authority</td><td>+1.0</td></tr>
 * <tr><td>deceased</td><td>any</td><td>0 (shown, not weighed)</td></tr>
 * </table>
 * MISSING is always 0.
 *
 * <h2>Why these numbers</h2>
 * False merges are patient-safety incidents, so the weights are set against the look-alikes an archive of merged
 * sources meets, not only against random pairs:
 * <ul>
 * <li>Twins share family name, birth date, sex, address and phone: a different first given name (not a nickname,
 * typo or sound-alike) outweighs all of them ({@code -6} against {@code +3 +4 +0.5 +1 +1} with the prior: 0.12).</li>
 * <li>A parent and child with one full name and one household differ in birth date: a birth date that is not a
 * plausible keying error weighs {@code -6}; a differing Jr/Sr suffix another {@code -4}. A one-digit birth date error
 * counts as a typo only within 9 years, so 1950 against 1980 is not "one digit off".</li>
 * <li>Synthea's living "replacement" of a deceased patient shares birth date, city and sex only.</li>
 * <li>A differing identifier under one authority outweighs identical demographics ({@code -12} against about
 * {@code +13}): two exports of different people that look alike. A true duplicate registration under one authority
 * is for a person to link by hand.</li>
 * <li>Household fields (address, phone) weigh little: family members share them, and people move.</li>
 * <li>Similar given names of people whose recorded sexes differ (Eric/Erica, Daniel/Danielle) are not typos.</li>
 * </ul>
 *
 * <h2>Use</h2>
 * Scoring is meant for every candidate pair of a large archive: {@link #prepare(MatchProfile)} normalises a profile
 * once (folded names, Double Metaphone codes, nickname groups, parsed dates, phone digits, address keys), and
 * {@link #score(Prepared, Prepared)} compares prepared profiles without parsing anything again. Candidates come from
 * {@link #blockingKeys(Prepared)}. An instance is immutable and safe to share between threads.
 *
 * <p>Nothing here logs: the values compared are patient data, and they leave this class only inside the
 * {@link MatchResult} the caller asked for.
 */
public final class MatchScorer {

    /** The default score at or above which a matcher proposes an identity link for review. */
    public static final double DEFAULT_PROPOSE_AT = 0.85;

    /**
     * The prior log-odds of a candidate pair being one person before any field is compared: candidates share a
     * blocking key, yet most of them are still different people.
     */
    public static final double PRIOR = -5.5;

    /** Field of {@link FieldEvidence#field()}: the first given name (middle names count where one is used as first). */
    public static final String GIVEN = "given";
    /** Field: the family name, with maiden and previous names. */
    public static final String FAMILY = "family";
    /** Field: the generational suffix (Jr, Sr, II, III, IV); academic ones (MD, PhD) are not compared. */
    public static final String SUFFIX = "suffix";
    /** Field: the birth date (or year). */
    public static final String BIRTH_DATE = "birthDate";
    /** Field: the administrative sex. */
    public static final String SEX = "sex";
    /** Field: the postal address (first line, postal code, city). */
    public static final String ADDRESS = "address";
    /** Field: the phone numbers. */
    public static final String PHONE = "phone";
    /** Field: the e-mail addresses. */
    public static final String EMAIL = "email";
    /** Field: the identifiers, by canonical system. */
    public static final String IDENTIFIER = "identifier";
    /** Field: whether a death is recorded; shown, never weighed. */
    public static final String DECEASED = "deceased";

    /** Every field compared, in the order of {@link MatchResult#evidence()}: one evidence entry each, always. */
    public static final List<String> FIELDS = List.of(GIVEN, FAMILY, SUFFIX, BIRTH_DATE, SEX, ADDRESS, PHONE, EMAIL,
            IDENTIFIER, DECEASED);

    /** Where the shipped nickname groups are on the class path. */
    public static final String NICKNAMES_RESOURCE = "/identity/nicknames.txt";

    /** The longest blocking key; longer ones are replaced by a hash of their value. */
    public static final int MAX_KEY_LENGTH = 200;

    // ---- weights (natural log); see the class javadoc for the table and the reasoning ----

    private static final double JARO_WINKLER_TYPO = 0.92;

    // Given name kinds, strongest first. The weights are indexed by kind.
    private static final int G_EXACT = 0, G_NICKNAME = 1, G_TYPO_JW = 2, G_TYPO_EDIT = 3, G_SOUND = 4, G_MIDDLE = 5,
            G_TRANSPOSED = 6, G_INITIAL = 7, G_SEX_VARIANT = 8, G_DIFFERS = 9;
    private static final double[] GIVEN_WEIGHT = {3.5, 2.5, 2.0, 2.0, 2.0, 2.0, 2.0, 0.5, -3.0, -6.0};

    private static final int F_EXACT = 0, F_PREVIOUS = 1, F_COMPOUND = 2, F_TRANSPOSED = 3, F_TYPO_JW = 4,
            F_TYPO_EDIT = 5, F_SOUND = 6, F_AMONG_NAMES = 7, F_DIFFERS = 8;
    private static final double[] FAMILY_WEIGHT = {3.0, 2.5, 2.0, 2.0, 1.5, 1.5, 1.5, 1.5, -3.0};

    private static final double SUFFIX_SAME = 0.3, SUFFIX_DIFFERS = -4.0;

    private static final int B_EXACT = 0, B_SWAPPED = 1, B_DIGIT = 2, B_DIGITS_TRANSPOSED = 3, B_ONE_DAY = 4,
            B_YEAR = 5, B_YEAR_NEAR = 6, B_DIFFERS = 7;
    private static final double[] BIRTH_WEIGHT = {4.0, 2.5, 2.0, 2.0, 1.5, 1.0, -2.0, -6.0};
    /** A single-digit or transposition error in a birth date counts only between dates this many years apart or less. */
    private static final int BIRTH_TYPO_MAX_YEARS = 9;

    private static final double SEX_SAME = 0.5, SEX_OTHER = -1.0, SEX_DIFFERS = -4.0;

    private static final int A_SAME = 0, A_LINE_ONLY = 1, A_POSTAL = 2, A_CITY = 3, A_DIFFERS = 4, A_LINE_ELSEWHERE = 5;
    private static final double[] ADDRESS_WEIGHT = {1.0, 0.2, 0.2, 0.2, -0.3, -0.3};

    private static final double PHONE_SAME = 1.0, PHONE_LAST7 = 0.5, PHONE_DIFFERS = -0.3;
    private static final double EMAIL_SAME = 1.0, EMAIL_DIFFERS = -0.1;
    private static final double ID_SAME = 9.0, ID_CONFLICT = -12.0, ID_VALUE_ONLY = 1.0;

    private static final int MALE = 1, FEMALE = 2, OTHER = 4;

    private final Map<String, int[]> nicknameGroups = ShippedNicknames.GROUPS;
    // Conditionally thread-safe: its only state, the code length, is set here and never changed.
    private final DoubleMetaphone metaphone = new DoubleMetaphone();

    /** A scorer with the shipped nickname groups ({@value #NICKNAMES_RESOURCE}). */
    public MatchScorer() {
    }

    // =====================================================================================================
    // Public API
    // =====================================================================================================

    /**
     * Scores two profiles. For many pairs, {@link #prepare(MatchProfile) prepare} each profile once and use
     * {@link #score(Prepared, Prepared)}: this method normalises both profiles on every call.
     */
    public MatchResult score(MatchProfile a, MatchProfile b) {
        return score(prepare(a), prepare(b));
    }

    /**
     * Scores two prepared profiles: the score, one {@link FieldEvidence} per field of {@link #FIELDS} in that order,
     * and whether an identifier conflicts.
     */
    public MatchResult score(Prepared a, Prepared b) {
        FieldEvidence[] out = new FieldEvidence[FIELDS.size()];
        FieldEvidence sex = compareSex(a, b);
        compareNames(a, b, sex.weight() == SEX_DIFFERS, out);
        out[2] = compareSuffix(a, b);
        out[3] = compareBirth(a, b);
        out[4] = sex;
        out[5] = compareAddress(a, b);
        out[6] = comparePhone(a, b);
        out[7] = compareEmail(a, b);
        boolean[] conflict = new boolean[1];
        out[8] = compareIdentifiers(a, b, conflict);
        out[9] = compareDeceased(a, b);
        double logit = PRIOR;
        for (FieldEvidence e : out) {
            logit += e.weight();
        }
        return new MatchResult(1.0 / (1.0 + Math.exp(-logit)), List.of(out), conflict[0]);
    }

    /** The blocking keys of a profile; see {@link #blockingKeys(Prepared)}. */
    public Set<String> blockingKeys(MatchProfile p) {
        return blockingKeys(prepare(p));
    }

    /**
     * The keys a candidate search indexes each profile under and looks each profile up by. Any pair that can reach
     * {@link #DEFAULT_PROPOSE_AT} shares at least one key, while each key stays specific enough that its block is
     * small:
     * <ul>
     * <li>{@code id:<system>|<value>} and {@code idv:<value>} for each identifier (the latter meets the same value under
     * another authority);</li>
     * <li>{@code dob:<yyyy-mm-dd>}, and {@code dobswap:<yyyy-lo-hi>} (month and day sorted) when both are 12 or less, so
     * a date and its day/month swap meet;</li>
     * <li>{@code tel:<last 7 digits>}; {@code adr:<normalised line>|<postal code>} and {@code adr:<line>|c:<city>};
     * {@code mail:<address>};</li>
     * <li>two-part name and date keys over Double Metaphone codes (G: the given names' codes and nickname groups,
     * F: the family names' codes): {@code giv:<G>|<F>} (the two sorted, so transposed names meet), {@code fam:<F>|<year>},
     * {@code fmd:<F>|<mm-dd>}, {@code gvy:<G>|<year>}, {@code gmd:<G>|<mm-dd>}.</li>
     * </ul>
     * Why that suffices: without an agreeing identifier, birth date, swap, phone, address or e-mail, a pair reaches the
     * threshold only with a plausible birth-date error (which keeps the year or the month and day; a 31 December or
     * 1 January date also emits the neighbouring year) and a given or family name that agrees as a code (same name,
     * sound-alike, nickname, middle name, compound or previous family name), or with no comparable birth date and
     * practically identical names. Two degraded names (a typo in each) plus a birth-date error stay below it.
     *
     * <p>Keys are at most {@value #MAX_KEY_LENGTH} characters and hold no control characters: a longer or stranger
     * value is keyed by a 64-bit hash of it.
     */
    public Set<String> blockingKeys(Prepared p) {
        Set<String> keys = new LinkedHashSet<>();
        for (Id id : p.ids) {
            if (!id.system.isEmpty()) {
                keys.add(key("id:", id.system + "|" + id.value));
            }
            keys.add(key("idv:", id.value));
        }
        List<String> years = new ArrayList<>(2);
        List<String> monthDays = new ArrayList<>(2);
        for (Birth b : p.births) {
            addOnce(years, Integer.toString(b.year));
            if (!b.dayPrecision) {
                continue;
            }
            keys.add("dob:" + b.shown);
            if (b.month <= 12 && b.day <= 12 && b.month != b.day) {
                keys.add("dobswap:" + b.year + "-" + two(Math.min(b.month, b.day)) + "-" + two(Math.max(b.month, b.day)));
            }
            addOnce(monthDays, two(b.month) + "-" + two(b.day));
            // A date one day apart across New Year keeps neither the year nor the month and day.
            if (b.month == 12 && b.day == 31) {
                addOnce(years, Integer.toString(b.year + 1));
            } else if (b.month == 1 && b.day == 1) {
                addOnce(years, Integer.toString(b.year - 1));
            }
        }
        List<String> givenCodes = new ArrayList<>();
        List<String> familyCodes = new ArrayList<>();
        for (Name n : p.names) {
            for (String c : n.givenKeys) {
                addOnce(givenCodes, c);
            }
            for (String c : n.familyCodes) {
                addOnce(familyCodes, c);
            }
        }
        for (String g : givenCodes) {
            for (String f : familyCodes) {
                keys.add(g.compareTo(f) <= 0 ? "giv:" + g + "|" + f : "giv:" + f + "|" + g);
            }
            for (String y : years) {
                keys.add("gvy:" + g + "|" + y);
            }
            for (String md : monthDays) {
                keys.add("gmd:" + g + "|" + md);
            }
        }
        for (String f : familyCodes) {
            for (String y : years) {
                keys.add("fam:" + f + "|" + y);
            }
            for (String md : monthDays) {
                keys.add("fmd:" + f + "|" + md);
            }
        }
        for (Phone ph : p.phones) {
            keys.add("tel:" + ph.last7);
        }
        for (Address ad : p.addresses) {
            if (ad.line == null) {
                continue;
            }
            if (ad.postal != null) {
                keys.add(key("adr:", ad.line + "|" + ad.postal));
            }
            if (ad.city != null) {
                keys.add(key("adr:", ad.line + "|c:" + ad.city));
            }
        }
        for (Email e : p.emails) {
            keys.add(key("mail:", e.address));
        }
        return Collections.unmodifiableSet(keys);
    }

    /** Normalises a profile once for many {@link #score(Prepared, Prepared)} and {@link #blockingKeys(Prepared)} calls. */
    public Prepared prepare(MatchProfile profile) {
        return new Prepared(this, profile);
    }

    /**
     * A profile normalised for matching: folded names with their phonetic codes and nickname groups, parsed birth
     * dates, the sex as one of male, female, other, address keys, phone digits, identifiers. Immutable.
     */
    public static final class Prepared {
        private final MatchProfile profile;
        final Name[] names;
        final Birth[] births;
        final int sexes;
        final String sexShown;
        final Address[] addresses;
        final Phone[] phones;
        final Email[] emails;
        final Id[] ids;
        final String[] suffixes;

        private Prepared(MatchScorer scorer, MatchProfile p) {
            this.profile = p;
            List<Name> ns = new ArrayList<>(p.names().size());
            List<String> sfx = new ArrayList<>(1);
            for (PersonName pn : p.names()) {
                Name n = scorer.name(pn);
                if (n == null) {
                    continue;
                }
                if (n.hasGiven() || n.hasFamily()) {
                    ns.add(n);
                }
                if (n.suffix != null && !sfx.contains(n.suffix)) {
                    sfx.add(n.suffix);
                }
            }
            names = ns.toArray(new Name[0]);
            suffixes = sfx.toArray(new String[0]);

            List<Birth> bs = new ArrayList<>(p.birthTimes().size());
            for (TimeValue t : p.birthTimes()) {
                Birth b = birth(t);
                if (b != null) {
                    bs.add(b);
                }
            }
            births = bs.toArray(new Birth[0]);

            int mask = 0;
            for (Coded c : p.sexes()) {
                mask |= sex(c);
            }
            sexes = mask;
            sexShown = sexShown(mask);

            List<Address> as = new ArrayList<>(p.addresses().size());
            for (PostalAddress pa : p.addresses()) {
                Address a = address(pa);
                if (a != null) {
                    as.add(a);
                }
            }
            addresses = as.toArray(new Address[0]);

            List<Phone> phs = new ArrayList<>(2);
            List<Email> ems = new ArrayList<>(1);
            for (ContactPoint cp : p.telecoms()) {
                if (cp.nullFlavor() != null || cp.value() == null || cp.value().isBlank()) {
                    continue;
                }
                Email e = email(cp.value());
                if (e != null) {
                    ems.add(e);
                    continue;
                }
                Phone ph = phone(cp.value());
                if (ph != null) {
                    phs.add(ph);
                }
            }
            phones = phs.toArray(new Phone[0]);
            emails = ems.toArray(new Email[0]);

            List<Id> is = new ArrayList<>(p.identifiers().size());
            for (Identifier id : p.identifiers()) {
                Id i = id(id);
                if (i != null) {
                    is.add(i);
                }
            }
            ids = is.toArray(new Id[0]);
        }

        /** The profile this was prepared from. */
        public MatchProfile profile() {
            return profile;
        }
    }

    // =====================================================================================================
    // Field comparisons
    // =====================================================================================================

    private void compareNames(Prepared a, Prepared b, boolean sexesDiffer, FieldEvidence[] out) {
        int givenKind = -1;
        Name ga = null;
        Name gb = null;
        int familyKind = -1;
        Name fa = null;
        Name fb = null;
        for (Name x : a.names) {
            for (Name y : b.names) {
                if (x.hasGiven() && y.hasGiven()) {
                    int k = givenKind(x, y);
                    if (givenKind < 0 || GIVEN_WEIGHT[k] > GIVEN_WEIGHT[givenKind]) {
                        givenKind = k;
                        ga = x;
                        gb = y;
                    }
                }
                if (x.hasFamily() && y.hasFamily()) {
                    int k = familyKind(x, y);
                    if (familyKind < 0 || FAMILY_WEIGHT[k] > FAMILY_WEIGHT[familyKind]) {
                        familyKind = k;
                        fa = x;
                        fb = y;
                    }
                }
            }
        }
        // Eric/Erica, Daniel/Danielle, Francis/Frances: alike as strings, yet the recorded sexes say two people.
        if (sexesDiffer && (givenKind == G_TYPO_JW || givenKind == G_TYPO_EDIT || givenKind == G_SOUND)) {
            givenKind = G_SEX_VARIANT;
        }
        out[0] = givenKind < 0
                ? missing(GIVEN, firstGivenShown(a), firstGivenShown(b), "given name")
                : givenEvidence(givenKind, ga, gb);
        out[1] = familyKind < 0
                ? missing(FAMILY, firstFamilyShown(a), firstFamilyShown(b), "family name")
                : familyEvidence(familyKind, fa, fb);
    }

    private int givenKind(Name x, Name y) {
        String s = x.given;
        String t = y.given;
        if (s.equals(t) || x.givenJoined.equals(y.givenJoined)) {
            return s.length() == 1 ? G_INITIAL : G_EXACT;
        }
        if (s.length() == 1 || t.length() == 1) {
            // An initial agrees with any name it begins; it cannot be a typo or a sound-alike of one.
            return s.charAt(0) == t.charAt(0) ? G_INITIAL : G_DIFFERS;
        }
        if (sharesGroup(x.nicknameGroups, y.nicknameGroups)) {
            return G_NICKNAME;
        }
        if (jaroWinkler(s, t) >= JARO_WINKLER_TYPO) {
            return G_TYPO_JW;
        }
        if (oneEditTypo(s, t)) {
            return G_TYPO_EDIT;
        }
        if (intersects(x.givenCodes, y.givenCodes)) {
            return G_SOUND;
        }
        if (contains(y.middles, s) || contains(x.middles, t)) {
            return G_MIDDLE;
        }
        if (transposed(x, y)) {
            return G_TRANSPOSED;
        }
        return G_DIFFERS;
    }

    private static int familyKind(Name x, Name y) {
        String s = x.family;
        String t = y.family;
        if (s.equals(t)) {
            // A name one side marks as maiden or previous against the other's current one: a name change.
            return x.previous != y.previous ? F_PREVIOUS : F_EXACT;
        }
        if ((x.familyTokens.length > 1 || y.familyTokens.length > 1) && sharesToken(x.familyTokens, y.familyTokens)) {
            return F_COMPOUND;
        }
        if (transposed(x, y)) {
            return F_TRANSPOSED;
        }
        if (jaroWinkler(s, t) >= JARO_WINKLER_TYPO) {
            return F_TYPO_JW;
        }
        if (oneEditTypo(s, t)) {
            return F_TYPO_EDIT;
        }
        if (intersects(x.familyCodes, y.familyCodes)) {
            return F_SOUND;
        }
        // A maiden name kept as a middle name ("Jane Smith Jones" against "Jane Smith").
        if (contains(y.middles, s) || contains(x.middles, t)) {
            return F_AMONG_NAMES;
        }
        return F_DIFFERS;
    }

    private static boolean transposed(Name x, Name y) {
        return x.hasGiven() && x.hasFamily() && y.hasGiven() && y.hasFamily()
                && x.given.equals(y.family) && x.family.equals(y.given);
    }

    private static FieldEvidence givenEvidence(int kind, Name x, Name y) {
        String left = x.givenShown;
        String right = y.givenShown;
        String note;
        Verdict verdict = Verdict.PARTIAL;
        switch (kind) {
            case G_EXACT -> {
                verdict = Verdict.AGREE;
                note = "same given name";
            }
            case G_NICKNAME -> {
                String p = x.givenFirstShown;
                String q = y.givenFirstShown;
                note = "nickname: " + (p.length() <= q.length() ? p + "/" + q : q + "/" + p);
            }
            case G_TYPO_JW -> note = String.format(Locale.ROOT, "typo (Jaro-Winkler %.2f)", jaroWinkler(x.given, y.given));
            case G_TYPO_EDIT -> note = "one edit apart";
            case G_SOUND -> note = "sound-alike (Double Metaphone)";
            case G_MIDDLE -> note = "matches the other side's middle name";
            case G_TRANSPOSED -> {
                left = x.fullShown;
                right = y.fullShown;
                note = "given and family names transposed";
            }
            case G_INITIAL -> note = "initial only";
            case G_SEX_VARIANT -> {
                verdict = Verdict.DISAGREE;
                note = "similar given names, but the recorded sexes differ (like Eric/Erica): not counted as a typo";
            }
            default -> {
                verdict = Verdict.DISAGREE;
                note = "different given names";
            }
        }
        return new FieldEvidence(GIVEN, left, right, verdict, GIVEN_WEIGHT[kind], note);
    }

    private static FieldEvidence familyEvidence(int kind, Name x, Name y) {
        String left = x.familyShown;
        String right = y.familyShown;
        String note;
        Verdict verdict = Verdict.PARTIAL;
        switch (kind) {
            case F_EXACT -> {
                verdict = Verdict.AGREE;
                note = "same family name";
            }
            case F_PREVIOUS -> note = "name change: matches a maiden or previous name";
            case F_COMPOUND -> note = "shares part of a compound family name";
            case F_TRANSPOSED -> {
                left = x.fullShown;
                right = y.fullShown;
                note = "given and family names transposed";
            }
            case F_TYPO_JW -> note = String.format(Locale.ROOT, "typo (Jaro-Winkler %.2f)", jaroWinkler(x.family, y.family));
            case F_TYPO_EDIT -> note = "one edit apart";
            case F_SOUND -> note = "sound-alike (Double Metaphone)";
            case F_AMONG_NAMES -> {
                left = x.fullShown;
                right = y.fullShown;
                note = "name change: the family name is among the other side's names (a maiden name kept as a middle name)";
            }
            default -> {
                verdict = Verdict.DISAGREE;
                note = "different family names";
            }
        }
        return new FieldEvidence(FAMILY, left, right, verdict, FAMILY_WEIGHT[kind], note);
    }

    private static FieldEvidence compareSuffix(Prepared a, Prepared b) {
        String left = a.suffixes.length == 0 ? null : String.join(", ", a.suffixes);
        String right = b.suffixes.length == 0 ? null : String.join(", ", b.suffixes);
        if (left == null || right == null) {
            // Sources drop suffixes often; a missing one says nothing.
            return missing(SUFFIX, left, right, "generational suffix");
        }
        for (String s : a.suffixes) {
            for (String t : b.suffixes) {
                if (s.equals(t)) {
                    return new FieldEvidence(SUFFIX, s, t, Verdict.AGREE, SUFFIX_SAME, "same suffix");
                }
            }
        }
        return new FieldEvidence(SUFFIX, left, right, Verdict.DISAGREE, SUFFIX_DIFFERS,
                "suffix " + a.suffixes[0] + "/" + b.suffixes[0] + " differs");
    }

    private static FieldEvidence compareBirth(Prepared a, Prepared b) {
        int best = -1;
        Birth bx = null;
        Birth by = null;
        for (Birth x : a.births) {
            for (Birth y : b.births) {
                int k = birthKind(x, y);
                if (best < 0 || BIRTH_WEIGHT[k] > BIRTH_WEIGHT[best]) {
                    best = k;
                    bx = x;
                    by = y;
                }
            }
        }
        if (best < 0) {
            return missing(BIRTH_DATE, a.births.length == 0 ? null : a.births[0].shown,
                    b.births.length == 0 ? null : b.births[0].shown, "birth date");
        }
        Verdict verdict = Verdict.PARTIAL;
        String note;
        switch (best) {
            case B_EXACT -> {
                verdict = Verdict.AGREE;
                note = "same birth date";
            }
            case B_SWAPPED -> note = "day and month swapped";
            case B_DIGIT -> note = "one digit off";
            case B_DIGITS_TRANSPOSED -> note = "two digits transposed";
            case B_ONE_DAY -> note = "one day apart (a time zone or a late-night birth)";
            case B_YEAR -> note = "year only agrees";
            case B_YEAR_NEAR -> {
                verdict = Verdict.DISAGREE;
                note = "birth years one apart (a year only)";
            }
            default -> {
                verdict = Verdict.DISAGREE;
                int years = Math.abs(bx.year - by.year);
                if (bx.dayPrecision && by.dayPrecision) {
                    years = (int) (Math.abs(bx.epochDay - by.epochDay) / 365.25);
                }
                note = years >= 1 ? "different birth date, " + years + (years == 1 ? " year" : " years") + " apart"
                        : "different birth date";
            }
        }
        return new FieldEvidence(BIRTH_DATE, bx.shown, by.shown, verdict, BIRTH_WEIGHT[best], note);
    }

    private static int birthKind(Birth x, Birth y) {
        if (!x.dayPrecision || !y.dayPrecision) {
            int dy = Math.abs(x.year - y.year);
            return dy == 0 ? B_YEAR : dy == 1 ? B_YEAR_NEAR : B_DIFFERS;
        }
        if (x.epochDay == y.epochDay) {
            return B_EXACT;
        }
        if (x.year == y.year && x.month == y.day && x.day == y.month) {
            return B_SWAPPED;
        }
        if (Math.abs(x.year - y.year) <= BIRTH_TYPO_MAX_YEARS) {
            int k = digitError(x.digits, y.digits);
            if (k >= 0) {
                return k;
            }
        }
        if (Math.abs(x.epochDay - y.epochDay) == 1) {
            return B_ONE_DAY;
        }
        return B_DIFFERS;
    }

    /** B_DIGIT, B_DIGITS_TRANSPOSED (within the year, the month or the day) or -1, comparing yyyymmdd. */
    private static int digitError(String s, String t) {
        int first = -1;
        int second = -1;
        int count = 0;
        for (int i = 0; i < 8; i++) {
            if (s.charAt(i) != t.charAt(i)) {
                if (++count > 2) {
                    return -1;
                }
                if (first < 0) {
                    first = i;
                } else {
                    second = i;
                }
            }
        }
        if (count == 1) {
            return B_DIGIT;
        }
        // Two adjacent digits swapped inside one component: 12/21 days, 01/10 months, 1989/1998 years.
        if (count == 2 && second == first + 1 && component(first) == component(second)
                && s.charAt(first) == t.charAt(second) && s.charAt(second) == t.charAt(first)) {
            return B_DIGITS_TRANSPOSED;
        }
        return -1;
    }

    private static int component(int digit) {
        return digit < 4 ? 0 : digit < 6 ? 1 : 2;
    }

    private static FieldEvidence compareSex(Prepared a, Prepared b) {
        if (a.sexes == 0 || b.sexes == 0) {
            return missing(SEX, a.sexShown, b.sexShown, "known sex");
        }
        if ((a.sexes & b.sexes) != 0) {
            return new FieldEvidence(SEX, a.sexShown, b.sexShown, Verdict.AGREE, SEX_SAME, "same sex");
        }
        if (((a.sexes | b.sexes) & OTHER) != 0) {
            return new FieldEvidence(SEX, a.sexShown, b.sexShown, Verdict.DISAGREE, SEX_OTHER,
                    "other against male or female: sources may record it differently");
        }
        return new FieldEvidence(SEX, a.sexShown, b.sexShown, Verdict.DISAGREE, SEX_DIFFERS, "different sex");
    }

    private static FieldEvidence compareAddress(Prepared a, Prepared b) {
        int best = -1;
        Address ax = null;
        Address ay = null;
        for (Address x : a.addresses) {
            for (Address y : b.addresses) {
                int k = addressKind(x, y);
                if (k >= 0 && (best < 0 || ADDRESS_WEIGHT[k] > ADDRESS_WEIGHT[best])) {
                    best = k;
                    ax = x;
                    ay = y;
                }
            }
        }
        if (best < 0) {
            return missing(ADDRESS, a.addresses.length == 0 ? null : a.addresses[0].shown,
                    b.addresses.length == 0 ? null : b.addresses[0].shown, "comparable address");
        }
        Verdict verdict;
        String note;
        switch (best) {
            case A_SAME -> {
                verdict = Verdict.AGREE;
                note = "same street address";
            }
            case A_LINE_ONLY -> {
                verdict = Verdict.PARTIAL;
                note = "same street line, no town to compare";
            }
            case A_POSTAL -> {
                verdict = Verdict.PARTIAL;
                note = "same postal code, different street";
            }
            case A_CITY -> {
                verdict = Verdict.PARTIAL;
                note = "same city, different street";
            }
            case A_LINE_ELSEWHERE -> {
                verdict = Verdict.DISAGREE;
                note = "same street line in a different town";
            }
            default -> {
                verdict = Verdict.DISAGREE;
                note = "different address (people move)";
            }
        }
        return new FieldEvidence(ADDRESS, ax.shown, ay.shown, verdict, ADDRESS_WEIGHT[best], note);
    }

    private static int addressKind(Address x, Address y) {
        boolean postalSame = x.postal != null && x.postal.equals(y.postal);
        boolean citySame = x.city != null && x.city.equals(y.city);
        boolean localityComparable = (x.postal != null && y.postal != null) || (x.city != null && y.city != null);
        if (x.line != null && x.line.equals(y.line)) {
            if (postalSame || citySame) {
                return A_SAME;
            }
            return localityComparable ? A_LINE_ELSEWHERE : A_LINE_ONLY;
        }
        if (postalSame) {
            return A_POSTAL;
        }
        if (citySame) {
            return A_CITY;
        }
        if ((x.line != null && y.line != null) || localityComparable) {
            return A_DIFFERS;
        }
        return -1;
    }

    private static FieldEvidence comparePhone(Prepared a, Prepared b) {
        if (a.phones.length == 0 || b.phones.length == 0) {
            return missing(PHONE, a.phones.length == 0 ? null : a.phones[0].shown,
                    b.phones.length == 0 ? null : b.phones[0].shown, "phone number");
        }
        Phone px = null;
        Phone py = null;
        for (Phone x : a.phones) {
            for (Phone y : b.phones) {
                if (x.digits.equals(y.digits)) {
                    return new FieldEvidence(PHONE, x.shown, y.shown, Verdict.AGREE, PHONE_SAME, "same number");
                }
                if (px == null && x.last7.equals(y.last7)) {
                    px = x;
                    py = y;
                }
            }
        }
        if (px != null) {
            return new FieldEvidence(PHONE, px.shown, py.shown, Verdict.PARTIAL, PHONE_LAST7,
                    "same last 7 digits, the area code differs or is missing");
        }
        return new FieldEvidence(PHONE, a.phones[0].shown, b.phones[0].shown, Verdict.DISAGREE, PHONE_DIFFERS,
                "different numbers (numbers change)");
    }

    private static FieldEvidence compareEmail(Prepared a, Prepared b) {
        if (a.emails.length == 0 || b.emails.length == 0) {
            return missing(EMAIL, a.emails.length == 0 ? null : a.emails[0].address,
                    b.emails.length == 0 ? null : b.emails[0].address, "e-mail address");
        }
        for (Email x : a.emails) {
            for (Email y : b.emails) {
                if (x.address.equals(y.address)) {
                    return new FieldEvidence(EMAIL, x.address, y.address, Verdict.AGREE, EMAIL_SAME, "same e-mail address");
                }
            }
        }
        return new FieldEvidence(EMAIL, a.emails[0].address, b.emails[0].address, Verdict.DISAGREE, EMAIL_DIFFERS,
                "different e-mail addresses (people have several)");
    }

    private static FieldEvidence compareIdentifiers(Prepared a, Prepared b, boolean[] conflictOut) {
        if (a.ids.length == 0 || b.ids.length == 0) {
            return missing(IDENTIFIER, a.ids.length == 0 ? null : a.ids[0].shown,
                    b.ids.length == 0 ? null : b.ids[0].shown, "usable identifier");
        }
        Id agreeX = null;
        Id agreeY = null;
        Id conflictX = null;
        Id conflictY = null;
        Id valueX = null;
        Id valueY = null;
        for (Id x : a.ids) {
            if (x.system.isEmpty()) {
                continue;
            }
            Id sameSystem = null;
            boolean sameValue = false;
            for (Id y : b.ids) {
                if (x.system.equals(y.system)) {
                    if (x.value.equals(y.value)) {
                        sameValue = true;
                        if (agreeX == null) {
                            agreeX = x;
                            agreeY = y;
                        }
                    } else if (sameSystem == null) {
                        sameSystem = y;
                    }
                }
            }
            // A system is in conflict only when no value of it is shared: a merged record may carry two MRNs.
            if (sameSystem != null && !sameValue && !sharesValueInSystem(a, b, x.system) && conflictX == null) {
                conflictX = x;
                conflictY = sameSystem;
            }
        }
        for (Id x : a.ids) {
            for (Id y : b.ids) {
                if (x.value.equals(y.value) && (x.system.isEmpty() || !x.system.equals(y.system))) {
                    valueX = x;
                    valueY = y;
                    break;
                }
            }
            if (valueX != null) {
                break;
            }
        }
        conflictOut[0] = conflictX != null;
        if (conflictX != null && agreeX != null) {
            return new FieldEvidence(IDENTIFIER, conflictX.shown, conflictY.shown, Verdict.DISAGREE, ID_SAME + ID_CONFLICT,
                    "different identifier under the same authority (" + conflictX.system
                            + "), though another authority's identifier agrees");
        }
        if (conflictX != null) {
            return new FieldEvidence(IDENTIFIER, conflictX.shown, conflictY.shown, Verdict.DISAGREE, ID_CONFLICT,
                    "different identifier under the same authority");
        }
        if (agreeX != null) {
            return new FieldEvidence(IDENTIFIER, agreeX.shown, agreeY.shown, Verdict.AGREE, ID_SAME,
                    "same identifier under the same authority");
        }
        if (valueX != null) {
            return new FieldEvidence(IDENTIFIER, valueX.shown, valueY.shown, Verdict.PARTIAL, ID_VALUE_ONLY,
                    "same value, different authority");
        }
        return new FieldEvidence(IDENTIFIER, a.ids[0].shown, b.ids[0].shown, Verdict.MISSING, 0.0,
                "no identifier under a shared authority");
    }

    private static boolean sharesValueInSystem(Prepared a, Prepared b, String system) {
        for (Id x : a.ids) {
            if (!x.system.equals(system)) {
                continue;
            }
            for (Id y : b.ids) {
                if (y.system.equals(system) && x.value.equals(y.value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static FieldEvidence compareDeceased(Prepared a, Prepared b) {
        boolean x = a.profile.deceased();
        boolean y = b.profile.deceased();
        String left = x ? "deceased" : "not recorded deceased";
        String right = y ? "deceased" : "not recorded deceased";
        if (x && y) {
            return new FieldEvidence(DECEASED, left, right, Verdict.AGREE, 0.0, "both recorded deceased; not weighed");
        }
        if (x || y) {
            return new FieldEvidence(DECEASED, left, right, Verdict.DISAGREE, 0.0,
                    "only one recorded deceased; not weighed, since sources often do not record a death");
        }
        return new FieldEvidence(DECEASED, left, right, Verdict.MISSING, 0.0, "neither recorded deceased");
    }

    private static FieldEvidence missing(String field, String left, String right, String what) {
        String note = left == null && right == null ? "neither side has a " + what
                : left == null ? "the left side has no " + what
                : right == null ? "the right side has no " + what
                : "nothing comparable";
        return new FieldEvidence(field, left, right, Verdict.MISSING, 0.0, note);
    }

    private static String firstGivenShown(Prepared p) {
        for (Name n : p.names) {
            if (n.hasGiven()) {
                return n.givenShown;
            }
        }
        return null;
    }

    private static String firstFamilyShown(Prepared p) {
        for (Name n : p.names) {
            if (n.hasFamily()) {
                return n.familyShown;
            }
        }
        return null;
    }

    // =====================================================================================================
    // Normalisation (once per profile, in prepare)
    // =====================================================================================================

    /** One name, folded. {@code given} is the first given token, {@code family} the family tokens joined. */
    static final class Name {
        String given = "";
        String givenJoined = "";
        String[] middles = new String[0];
        String family = "";
        String[] familyTokens = new String[0];
        String[] givenCodes = new String[0];
        String[] familyCodes = new String[0];
        /** Given codes for blocking: the given tokens' codes and the first given name's nickname groups. */
        String[] givenKeys = new String[0];
        int[] nicknameGroups = new int[0];
        boolean previous;
        String suffix;
        String givenShown;
        String givenFirstShown;
        String familyShown;
        String fullShown;

        boolean hasGiven() {
            return !given.isEmpty();
        }

        boolean hasFamily() {
            return !family.isEmpty();
        }
    }

    private static final Set<String> PREVIOUS_NAME_USES = Set.of("maiden", "m", "b", "birth", "old", "previous", "former");

    private Name name(PersonName pn) {
        List<String> givenParts = nonNull(pn.given());
        List<String> familyParts = nonNull(pn.family());
        if (givenParts.isEmpty() && familyParts.isEmpty() && pn.text() != null && !pn.text().isBlank()) {
            // Only a display text: "Family, Given Middle" or "Given Middle Family".
            String text = pn.text().trim();
            int comma = text.indexOf(',');
            if (comma > 0) {
                familyParts = List.of(text.substring(0, comma));
                givenParts = List.of(text.substring(comma + 1));
            } else {
                String[] words = text.split("\\s+");
                if (words.length == 1) {
                    familyParts = List.of(words[0]);
                } else {
                    familyParts = List.of(words[words.length - 1]);
                    givenParts = List.of(String.join(" ", Arrays.copyOf(words, words.length - 1)));
                }
            }
        }
        Name n = new Name();
        n.previous = pn.use() != null && PREVIOUS_NAME_USES.contains(pn.use().trim().toLowerCase(Locale.ROOT));

        for (String s : nonNull(pn.suffixes())) {
            String g = generational(fold(s).replace(" ", ""));
            if (g != null) {
                n.suffix = g;
                break;
            }
        }
        List<String> family = new ArrayList<>();
        for (String part : familyParts) {
            for (String token : tokens(fold(part))) {
                family.add(token);
            }
        }
        // "Smith Jr." as the family name: the suffix is not part of it.
        while (family.size() > 1 && generational(family.get(family.size() - 1)) != null) {
            String g = generational(family.remove(family.size() - 1));
            if (n.suffix == null) {
                n.suffix = g;
            }
        }
        n.familyTokens = family.toArray(new String[0]);
        n.family = String.join("", family);

        List<String> given = new ArrayList<>();
        String firstJoined = "";
        for (String part : givenParts) {
            List<String> ts = tokens(fold(part));
            if (ts.isEmpty()) {
                continue;
            }
            if (given.isEmpty()) {
                firstJoined = String.join("", ts);
            }
            given.addAll(ts);
        }
        if (!given.isEmpty()) {
            n.given = given.get(0);
            n.givenJoined = firstJoined;
            n.middles = given.subList(1, given.size()).toArray(new String[0]);
        }
        if (!n.hasGiven() && !n.hasFamily()) {
            return n.suffix == null ? null : n;
        }

        List<String> gc = new ArrayList<>(3);
        if (n.hasGiven()) {
            addCodes(gc, n.given);
            if (!n.givenJoined.equals(n.given)) {
                addCodes(gc, n.givenJoined);
            }
        }
        n.givenCodes = gc.toArray(new String[0]);
        List<String> fc = new ArrayList<>(3);
        if (n.hasFamily()) {
            addCodes(fc, n.family);
            if (n.familyTokens.length > 1) {
                for (String t : n.familyTokens) {
                    addCodes(fc, t);
                }
            }
        }
        n.familyCodes = fc.toArray(new String[0]);

        List<Integer> groups = new ArrayList<>(2);
        for (String g : n.given.equals(n.givenJoined) ? List.of(n.given) : List.of(n.given, n.givenJoined)) {
            int[] gs = nicknameGroups.get(g);
            if (gs != null) {
                for (int id : gs) {
                    if (!groups.contains(id)) {
                        groups.add(id);
                    }
                }
            }
        }
        n.nicknameGroups = groups.stream().mapToInt(Integer::intValue).toArray();

        List<String> keys = new ArrayList<>(gc);
        for (String m : n.middles) {
            if (m.length() > 1) {
                addCodes(keys, m);
            }
        }
        for (int g : n.nicknameGroups) {
            keys.add("n" + g);
        }
        n.givenKeys = keys.toArray(new String[0]);

        List<String> givenShown = new ArrayList<>();
        for (String part : givenParts) {
            String s = shown(part);
            if (!s.isEmpty()) {
                givenShown.add(s);
            }
        }
        n.givenShown = givenShown.isEmpty() ? null : String.join(" ", givenShown);
        n.givenFirstShown = n.givenShown == null ? null : n.givenShown.split(" ")[0];
        List<String> familyShown = new ArrayList<>();
        for (String part : familyParts) {
            String s = shown(part);
            if (!s.isEmpty()) {
                familyShown.add(s);
            }
        }
        n.familyShown = familyShown.isEmpty() ? null : String.join(" ", familyShown);
        n.fullShown = n.givenShown == null ? n.familyShown
                : n.familyShown == null ? n.givenShown : n.givenShown + " " + n.familyShown;
        return n;
    }

    private void addCodes(List<String> out, String token) {
        String primary = metaphone.doubleMetaphone(token);
        String alternate = metaphone.doubleMetaphone(token, true);
        boolean coded = false;
        if (primary != null && !primary.isEmpty()) {
            addOnce(out, primary);
            coded = true;
        }
        if (alternate != null && !alternate.isEmpty()) {
            addOnce(out, alternate);
            coded = true;
        }
        if (!coded) {
            // Double Metaphone codes Latin letters only: a name in another script is its own code (so it still has
            // blocking keys), which only the same name shares. '=' cannot occur in a Double Metaphone code.
            addOnce(out, "=" + (token.length() > 24 ? token.substring(0, 24) : token));
        }
    }

    private static String generational(String folded) {
        return switch (folded) {
            case "jr", "junior" -> "Jr";
            case "sr", "senior" -> "Sr";
            case "ii", "2nd" -> "II";
            case "iii", "3rd" -> "III";
            case "iv", "4th" -> "IV";
            default -> null;
        };
    }

    /**
     * A name folded for comparison: lower case, accents stripped, other Latin letters spelled out (ß as ss, ø as o),
     * digits dropped (names hold none; Synthea appends some: "Jamison785"), apostrophes and periods dropped
     * ("O'Conner199" is "oconner"), and words separated by single spaces (hyphens and commas separate words).
     */
    static String fold(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        String d = Normalizer.normalize(s.toLowerCase(Locale.ROOT), Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(d.length());
        boolean space = true;
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (Character.getType(c) == Character.NON_SPACING_MARK) {
                continue;
            }
            if (Character.isLetter(c)) {
                switch (c) {
                    case 'ß' -> out.append("ss");
                    case 'æ' -> out.append("ae");
                    case 'œ' -> out.append("oe");
                    case 'ø' -> out.append('o');
                    case 'ł' -> out.append('l');
                    case 'đ', 'ð' -> out.append('d');
                    case 'þ' -> out.append("th");
                    case 'ı' -> out.append('i');
                    default -> out.append(c);
                }
                space = false;
            } else if (Character.isWhitespace(c) || c == '-' || c == ',' || c == '/' || c == '_' || c == '+' || c == '&') {
                if (!space) {
                    out.append(' ');
                    space = true;
                }
            }
            // digits, apostrophes, periods and other marks: dropped without separating
        }
        int end = out.length();
        if (end > 0 && out.charAt(end - 1) == ' ') {
            out.setLength(end - 1);
        }
        return out.toString();
    }

    private static List<String> tokens(String folded) {
        if (folded.isEmpty()) {
            return List.of();
        }
        return List.of(folded.split(" "));
    }

    private static final Pattern TRAILING_DIGITS = Pattern.compile("(?<=\\p{L})\\d+(?=[\\s,]|$)");

    /** A value as shown to an administrator: as given, but without Synthea's trailing digits and extra spaces. */
    static String shown(String s) {
        if (s == null) {
            return "";
        }
        return TRAILING_DIGITS.matcher(s.strip()).replaceAll("").replaceAll("\\s+", " ");
    }

    /** A birth date: day precision, or a year only. */
    static final class Birth {
        final int year;
        final int month;
        final int day;
        final boolean dayPrecision;
        final long epochDay;
        final String digits;
        final String shown;

        Birth(int year, int month, int day, boolean dayPrecision) {
            this.year = year;
            this.month = month;
            this.day = day;
            this.dayPrecision = dayPrecision;
            this.epochDay = dayPrecision ? LocalDate.of(year, month, day).toEpochDay() : 0;
            this.digits = dayPrecision ? String.format(Locale.ROOT, "%04d%02d%02d", year, month, day) : null;
            this.shown = dayPrecision ? String.format(Locale.ROOT, "%04d-%02d-%02d", year, month, day)
                    : Integer.toString(year);
        }
    }

    private static final Pattern ISO_DATE = Pattern.compile("^\\s*([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(?:[T ].*)?\\s*$");

    /** The birth date in an ISO value: a date at day precision (or finer), else its year; null when unreadable. */
    static Birth birth(TimeValue t) {
        if (t == null || t.nullFlavor() != null || t.iso() == null) {
            return null;
        }
        Matcher m = ISO_DATE.matcher(t.iso());
        if (!m.matches()) {
            return null;
        }
        int year = Integer.parseInt(m.group(1));
        if (year < 1800 || year > 2200) {
            return null;
        }
        String precision = t.precision() == null ? "" : t.precision().trim().toUpperCase(Locale.ROOT);
        boolean coarse = precision.equals("YEAR") || precision.equals("MONTH");
        if (m.group(3) != null && !coarse) {
            // The calendar date as written: a birth date is local, so no time zone conversion.
            int month = Integer.parseInt(m.group(2));
            int day = Integer.parseInt(m.group(3));
            try {
                LocalDate.of(year, month, day);
                return new Birth(year, month, day, true);
            } catch (DateTimeException e) {
                return new Birth(year, 0, 0, false);
            }
        }
        return new Birth(year, 0, 0, false);
    }

    /** A sex code as a bit: male, female, other; 0 for unknown (HL7 v2 U, N; FHIR unknown; null flavors). */
    static int sex(Coded c) {
        if (c == null || c.nullFlavor() != null) {
            return 0;
        }
        for (String s : new String[] {c.code(), c.displayName(), c.originalText()}) {
            int bit = sexWord(s);
            if (bit != 0) {
                return bit;
            }
        }
        if (c.translations() != null) {
            for (Coded t : c.translations()) {
                int bit = sex(t);
                if (bit != 0) {
                    return bit;
                }
            }
        }
        return 0;
    }

    private static int sexWord(String s) {
        if (s == null) {
            return 0;
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "m", "male", "man" -> MALE;
            case "f", "female", "woman" -> FEMALE;
            case "o", "other", "a", "ambiguous", "x", "intersex", "non-binary", "nonbinary" -> OTHER;
            default -> 0;
        };
    }

    private static String sexShown(int mask) {
        if (mask == 0) {
            return null;
        }
        List<String> out = new ArrayList<>(1);
        if ((mask & MALE) != 0) {
            out.add("male");
        }
        if ((mask & FEMALE) != 0) {
            out.add("female");
        }
        if ((mask & OTHER) != 0) {
            out.add("other");
        }
        return String.join(", ", out);
    }

    /** A postal address: the first line normalised, the postal code (US: 5 digits), the city folded. */
    static final class Address {
        String line;
        String postal;
        String city;
        String shown;
    }

    private static final Map<String, String> ADDRESS_WORDS = addressWords();

    private static Map<String, String> addressWords() {
        String[][] pairs = {
            {"street", "st"}, {"str", "st"}, {"avenue", "ave"}, {"av", "ave"}, {"road", "rd"}, {"drive", "dr"},
            {"lane", "ln"}, {"boulevard", "blvd"}, {"court", "ct"}, {"place", "pl"}, {"terrace", "ter"},
            {"parkway", "pkwy"}, {"highway", "hwy"}, {"circle", "cir"}, {"square", "sq"}, {"trail", "trl"},
            {"crossing", "xing"}, {"crossroad", "xrd"}, {"heights", "hts"}, {"harbor", "hbr"}, {"harbour", "hbr"},
            {"junction", "jct"}, {"extension", "ext"}, {"mount", "mt"}, {"mountain", "mtn"}, {"point", "pt"},
            {"ridge", "rdg"}, {"route", "rte"}, {"expressway", "expy"}, {"freeway", "fwy"}, {"turnpike", "tpke"},
            {"alley", "aly"}, {"center", "ctr"}, {"centre", "ctr"}, {"plaza", "plz"}, {"fort", "ft"},
            {"estate", "est"}, {"estates", "ests"}, {"gardens", "gdns"}, {"grove", "grv"}, {"haven", "hvn"},
            {"manor", "mnr"}, {"meadow", "mdw"}, {"meadows", "mdws"}, {"village", "vlg"}, {"view", "vw"},
            {"vista", "vis"}, {"crescent", "cres"}, {"close", "cl"},
            {"north", "n"}, {"south", "s"}, {"east", "e"}, {"west", "w"},
            {"northeast", "ne"}, {"northwest", "nw"}, {"southeast", "se"}, {"southwest", "sw"},
            // Unit designators: "Apt 5", "Unit 5", "Suite 5" and "#5" are one unit.
            {"apartment", "#"}, {"apt", "#"}, {"suite", "#"}, {"ste", "#"}, {"unit", "#"}, {"no", "#"},
            {"number", "#"}, {"room", "#"}, {"rm", "#"},
        };
        Map<String, String> m = new HashMap<>();
        for (String[] p : pairs) {
            m.put(p[0], p[1]);
        }
        return Map.copyOf(m);
    }

    static Address address(PostalAddress pa) {
        if (pa == null || pa.nullFlavor() != null) {
            return null;
        }
        Address a = new Address();
        String firstLine = null;
        for (String l : nonNull(pa.lines())) {
            if (l != null && !l.isBlank()) {
                firstLine = l;
                break;
            }
        }
        a.line = addressLine(firstLine);
        a.postal = postal(pa.postalCode());
        String city = fold(pa.city());
        a.city = city.isEmpty() ? null : city;
        if (a.line == null && a.postal == null && a.city == null) {
            return null;
        }
        StringBuilder shown = new StringBuilder();
        if (firstLine != null) {
            shown.append(firstLine.strip());
        }
        if (pa.city() != null && !pa.city().isBlank()) {
            shown.append(shown.length() > 0 ? ", " : "").append(pa.city().strip());
        }
        if (pa.postalCode() != null && !pa.postalCode().isBlank()) {
            shown.append(shown.length() > 0 ? " " : "").append(pa.postalCode().strip());
        }
        a.shown = shown.toString();
        return a;
    }

    /**
     * The first address line normalised: folded, street types and directions abbreviated the USPS way, unit
     * designators as {@code #}. A line without a digit names no dwelling ("Homeless", "General Delivery") and is null.
     */
    static String addressLine(String line) {
        if (line == null || line.isBlank()) {
            return null;
        }
        String d = Normalizer.normalize(line.toLowerCase(Locale.ROOT), Normalizer.Form.NFD);
        StringBuilder word = new StringBuilder();
        StringBuilder out = new StringBuilder(d.length());
        boolean digit = false;
        for (int i = 0; i <= d.length(); i++) {
            char c = i < d.length() ? d.charAt(i) : ' ';
            if (i < d.length() && Character.getType(c) == Character.NON_SPACING_MARK) {
                continue;
            }
            if (Character.isLetterOrDigit(c)) {
                digit |= Character.isDigit(c);
                word.append(c);
            } else if (c == '\'' || c == '.' || c == '’') {
                continue;
            } else {
                if (word.length() > 0) {
                    String w = word.toString();
                    appendWord(out, ADDRESS_WORDS.getOrDefault(w, w));
                    word.setLength(0);
                }
                if (c == '#') {
                    appendWord(out, "#");
                }
            }
        }
        return digit && out.length() > 0 ? out.toString() : null;
    }

    private static void appendWord(StringBuilder out, String w) {
        if (out.length() > 0) {
            out.append(' ');
        }
        out.append(w);
    }

    /**
     * A postal code: US codes as their 5 digits (a ZIP+4 cut, a 4-digit ZIP that lost its leading zero in a
     * spreadsheet padded), others as upper-case letters and digits; Synthea's all-zero placeholder is no code.
     */
    static String postal(String code) {
        if (code == null) {
            return null;
        }
        StringBuilder alnum = new StringBuilder();
        boolean letters = false;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                letters |= Character.isLetter(c);
                alnum.append(Character.toUpperCase(c));
            }
        }
        if (alnum.length() == 0) {
            return null;
        }
        String s = alnum.toString();
        if (letters) {
            return s;
        }
        if (s.length() == 4) {
            s = "0" + s;
        }
        if (s.length() < 5) {
            return null;
        }
        s = s.substring(0, 5);
        return s.equals("00000") ? null : s;
    }

    /** A phone number as digits, a US leading 1 dropped, with its last 7 digits. */
    static final class Phone {
        final String digits;
        final String last7;
        final String shown;

        Phone(String digits, String shown) {
            this.digits = digits;
            this.last7 = digits.substring(digits.length() - 7);
            this.shown = shown;
        }
    }

    static Phone phone(String value) {
        String v = value.strip();
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tel:")) {
            v = v.substring(4);
        } else if (lower.startsWith("fax:") || lower.startsWith("http") || lower.contains("@")) {
            return null;
        }
        StringBuilder digits = new StringBuilder(15);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (Character.isLetter(c) || c == ';' || c == ',') {
                // An extension ("x12", "ext. 12", ";ext=12") or a pause: not part of the number.
                if (digits.length() >= 7) {
                    break;
                }
            }
        }
        String d = digits.toString();
        if (d.length() == 11 && d.charAt(0) == '1') {
            d = d.substring(1);
        }
        if (d.length() < 7 || d.length() > 15 || allSame(d)) {
            return null;
        }
        return new Phone(d, v.strip());
    }

    /** An e-mail address, lower case, without {@code mailto:}. */
    static final class Email {
        final String address;

        Email(String address) {
            this.address = address;
        }
    }

    static Email email(String value) {
        String v = value.strip();
        if (v.regionMatches(true, 0, "mailto:", 0, 7)) {
            v = v.substring(7);
        }
        int at = v.indexOf('@');
        if (at <= 0 || at == v.length() - 1) {
            return null;
        }
        return new Email(v.toLowerCase(Locale.ROOT));
    }

    /** An identifier: canonical system ("" when unknown), value without spaces, hyphens or periods, upper case. */
    static final class Id {
        final String system;
        final String value;
        final String shown;

        Id(String system, String value, String shown) {
            this.system = system;
            this.value = value;
            this.shown = shown;
        }
    }

    static Id id(Identifier id) {
        if (!id.isUsable()) {
            return null;
        }
        StringBuilder v = new StringBuilder(id.value().length());
        for (int i = 0; i < id.value().length(); i++) {
            char c = id.value().charAt(i);
            if (!Character.isWhitespace(c) && c != '-' && c != '.') {
                v.append(Character.toUpperCase(c));
            }
        }
        String value = v.toString();
        // "000000000", "999-99-9999": placeholders, not identifiers.
        if (value.isEmpty() || (value.length() > 1 && allSame(value))) {
            return null;
        }
        String system = id.system() == null ? "" : id.system().strip();
        String shown = system.isEmpty() ? id.value().strip() : system + " " + id.value().strip();
        return new Id(system, value, shown);
    }

    // =====================================================================================================
    // String measures
    // =====================================================================================================

    /** Jaro-Winkler similarity, prefix scale 0.1 over up to 4 characters. */
    static double jaroWinkler(String s, String t) {
        int sl = s.length();
        int tl = t.length();
        if (sl == 0 || tl == 0) {
            return 0.0;
        }
        if (s.equals(t)) {
            return 1.0;
        }
        int range = Math.max(0, Math.max(sl, tl) / 2 - 1);
        boolean[] sm = new boolean[sl];
        boolean[] tm = new boolean[tl];
        int matches = 0;
        for (int i = 0; i < sl; i++) {
            int lo = Math.max(0, i - range);
            int hi = Math.min(tl - 1, i + range);
            char c = s.charAt(i);
            for (int j = lo; j <= hi; j++) {
                if (!tm[j] && c == t.charAt(j)) {
                    sm[i] = true;
                    tm[j] = true;
                    matches++;
                    break;
                }
            }
        }
        if (matches == 0) {
            return 0.0;
        }
        int k = 0;
        int halfTranspositions = 0;
        for (int i = 0; i < sl; i++) {
            if (sm[i]) {
                while (!tm[k]) {
                    k++;
                }
                if (s.charAt(i) != t.charAt(k)) {
                    halfTranspositions++;
                }
                k++;
            }
        }
        double m = matches;
        double jaro = (m / sl + m / tl + (m - halfTranspositions / 2.0) / m) / 3.0;
        int prefix = 0;
        for (int i = 0; i < Math.min(4, Math.min(sl, tl)) && s.charAt(i) == t.charAt(i); i++) {
            prefix++;
        }
        return jaro + prefix * 0.1 * (1.0 - jaro);
    }

    /**
     * One keying error apart (an insertion, a deletion, a substitution or two adjacent letters swapped), both at
     * least 3 letters and beginning with the same letter: first letters are rarely mistyped, and short names one
     * letter apart are often different names ("Ned" and "Ted").
     */
    static boolean oneEditTypo(String s, String t) {
        if (Math.min(s.length(), t.length()) < 3 || s.charAt(0) != t.charAt(0)) {
            return false;
        }
        return oneEdit(s, t);
    }

    static boolean oneEdit(String s, String t) {
        int ls = s.length();
        int lt = t.length();
        if (Math.abs(ls - lt) > 1 || s.equals(t)) {
            return false;
        }
        if (ls == lt) {
            int first = -1;
            int last = -1;
            for (int i = 0; i < ls; i++) {
                if (s.charAt(i) != t.charAt(i)) {
                    if (first < 0) {
                        first = i;
                    }
                    last = i;
                }
            }
            return first == last
                    || (last == first + 1 && s.charAt(first) == t.charAt(last) && s.charAt(last) == t.charAt(first));
        }
        String longer = ls > lt ? s : t;
        String shorter = ls > lt ? t : s;
        int i = 0;
        while (i < shorter.length() && shorter.charAt(i) == longer.charAt(i)) {
            i++;
        }
        return longer.regionMatches(i + 1, shorter, i, shorter.length() - i);
    }

    // =====================================================================================================
    // Small helpers
    // =====================================================================================================

    private static boolean sharesGroup(int[] a, int[] b) {
        for (int x : a) {
            for (int y : b) {
                if (x == y) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean intersects(String[] a, String[] b) {
        for (String x : a) {
            for (String y : b) {
                if (x.equals(y)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sharesToken(String[] a, String[] b) {
        for (String x : a) {
            if (x.length() < 2) {
                continue;
            }
            for (String y : b) {
                if (x.equals(y)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean contains(String[] values, String s) {
        for (String v : values) {
            if (v.equals(s)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allSame(String s) {
        for (int i = 1; i < s.length(); i++) {
            if (s.charAt(i) != s.charAt(0)) {
                return false;
            }
        }
        return true;
    }

    private static <T> List<T> nonNull(List<T> values) {
        if (values == null) {
            return List.of();
        }
        List<T> out = new ArrayList<>(values.size());
        for (T v : values) {
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static void addOnce(List<String> list, String value) {
        if (!list.contains(value)) {
            list.add(value);
        }
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    /** {@code prefix + body}, or {@code prefix + "#" + hash} when that is too long or holds a control character. */
    private static String key(String prefix, String body) {
        boolean safe = prefix.length() + body.length() <= MAX_KEY_LENGTH;
        for (int i = 0; safe && i < body.length(); i++) {
            if (Character.isISOControl(body.charAt(i)) || Character.getType(body.charAt(i)) == Character.LINE_SEPARATOR
                    || Character.getType(body.charAt(i)) == Character.PARAGRAPH_SEPARATOR) {
                safe = false;
            }
        }
        if (safe) {
            return prefix + body;
        }
        // FNV-1a over the UTF-16 units: a collision only adds a candidate, it never loses one.
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < body.length(); i++) {
            h ^= body.charAt(i);
            h *= 0x100000001b3L;
        }
        return prefix + "#" + Long.toHexString(h);
    }

    /** The shipped nickname groups, read once: folded name to the indexes of the lines that hold it. */
    private static final class ShippedNicknames {
        static final Map<String, int[]> GROUPS = load();

        private static Map<String, int[]> load() {
            try (InputStream in = MatchScorer.class.getResourceAsStream(NICKNAMES_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("The nickname groups " + NICKNAMES_RESOURCE + " are not on the class path");
                }
                return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("Reading " + NICKNAMES_RESOURCE, e);
            }
        }
    }

    static Map<String, int[]> parse(BufferedReader reader) throws IOException {
        Map<String, List<Integer>> groups = new HashMap<>();
        int index = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            for (String name : l.split(",")) {
                String folded = fold(name).replace(" ", "");
                if (!folded.isEmpty()) {
                    List<Integer> ids = groups.computeIfAbsent(folded, k -> new ArrayList<>(1));
                    if (!ids.contains(index)) {
                        ids.add(index);
                    }
                }
            }
            index++;
        }
        Map<String, int[]> out = new HashMap<>(groups.size() * 2);
        groups.forEach((k, v) -> out.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        return Map.copyOf(out);
    }
}
