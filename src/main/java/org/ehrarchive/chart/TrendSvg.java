package org.ehrarchive.chart;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.ehrarchive.chart.Trends.Point;
import org.ehrarchive.chart.Trends.Trend;

/**
 * A trend drawn as inline SVG on the server: no script, no library, prints as drawn. The reference range is a
 * shaded band; a point's flag is its shape and a letter beside it (▲ H above, ▼ L below, ◆ other abnormal, ● normal),
 * so the plot reads in black and white and to a screen reader (each point has a title; the figure a description).
 */
public final class TrendSvg {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 220;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 12;
    private static final int BOTTOM = 34;

    private TrendSvg() {
    }

    /**
     * The SVG of a trend's plotted points; empty when fewer than one point has a number and a date. With
     * {@code pointTitles} each point carries its date and value as a title (hover, screen readers): the one trend's
     * page; a grid of trends leaves them out, as each plot links to its trend's page with the table.
     */
    public static String render(Trend trend, ClinicalDates dates, String titleId, boolean pointTitles) {
        List<Point> points = trend.plotted();
        if (points.isEmpty()) {
            return "";
        }
        BigDecimal rangeLow = common(points, true);
        BigDecimal rangeHigh = common(points, false);
        double min = points.stream().mapToDouble(p -> p.number().doubleValue()).min().orElse(0);
        double max = points.stream().mapToDouble(p -> p.number().doubleValue()).max().orElse(1);
        if (rangeLow != null) {
            min = Math.min(min, rangeLow.doubleValue());
            max = Math.max(max, rangeLow.doubleValue());
        }
        if (rangeHigh != null) {
            min = Math.min(min, rangeHigh.doubleValue());
            max = Math.max(max, rangeHigh.doubleValue());
        }
        if (max - min < 1e-9) {
            double pad = Math.abs(max) < 1e-9 ? 1 : Math.abs(max) * 0.1;
            min -= pad;
            max += pad;
        }
        double pad = (max - min) * 0.08;
        min -= pad;
        max += pad;
        LocalDate first = points.get(0).day();
        LocalDate last = points.get(points.size() - 1).day();
        long span = Math.max(1, ChronoUnit.DAYS.between(first, last));

        Scale scale = new Scale(min, max, first, span);
        StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg class=\"trend-plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-labelledby=\"").append(titleId).append("\">");
        svg.append("<title id=\"").append(titleId).append("\">").append(escape(description(trend, dates, rangeLow, rangeHigh))).append("</title>");
        if (rangeLow != null || rangeHigh != null) {
            double yTop = scale.y(rangeHigh != null ? rangeHigh.doubleValue() : max);
            double yBottom = scale.y(rangeLow != null ? rangeLow.doubleValue() : min);
            svg.append("<rect class=\"range\" x=\"").append(LEFT).append("\" y=\"").append(f(yTop)).append("\" width=\"")
                    .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(f(Math.max(0, yBottom - yTop)))
                    .append("\" fill=\"#e3e9f2\" stroke=\"#7d8ca3\" stroke-dasharray=\"4 3\"/>");
        }
        axes(svg, scale, min, max, first, last, dates);
        StringBuilder line = new StringBuilder();
        for (Point point : points) {
            line.append(line.length() == 0 ? "M" : " L").append(f(scale.x(point.day()))).append(' ').append(f(scale.y(point.number().doubleValue())));
        }
        svg.append("<path d=\"").append(line).append("\" fill=\"none\" stroke=\"#1f3a5f\" stroke-width=\"1.5\"/>");
        for (Point point : points) {
            marker(svg, scale.x(point.day()), scale.y(point.number().doubleValue()), point, pointTitles ? dates : null);
        }
        svg.append("</svg>");
        return svg.toString();
    }

    /** What the plot shows, in words: for the title a screen reader announces, and for print. */
    static String description(Trend trend, ClinicalDates dates, BigDecimal rangeLow, BigDecimal rangeHigh) {
        Point latest = trend.plotted().get(trend.plotted().size() - 1);
        return trend.name() + ": " + trend.plotted().size() + " values in " + (trend.unit() == null || trend.unit().isEmpty() ? "no unit" : trend.unit())
                + " from " + dates.format(trend.plotted().get(0).entry().effective()) + " to " + dates.format(latest.entry().effective())
                + "; latest " + latest.number().toPlainString() + (latest.flag().abnormal() ? " (" + latest.flag().label() + ")" : "")
                + "; " + trend.plotted().stream().filter(p -> p.flag().abnormal()).count() + " flagged"
                + (rangeLow != null || rangeHigh != null ? "; reference range " + (rangeLow == null ? "" : rangeLow.toPlainString()) + "–"
                        + (rangeHigh == null ? "" : rangeHigh.toPlainString()) : "");
    }

    private static void axes(StringBuilder svg, Scale scale, double min, double max, LocalDate first, LocalDate last, ClinicalDates dates) {
        svg.append("<g class=\"axes\" font-size=\"11\" fill=\"#333\">");
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(HEIGHT - BOTTOM).append("\" x2=\"").append(WIDTH - RIGHT)
                .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>");
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT).append("\" y2=\"")
                .append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>");
        for (int i = 0; i <= 4; i++) {
            double value = min + (max - min) * i / 4;
            double y = scale.y(value);
            svg.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4)).append("\" text-anchor=\"end\">").append(tick(value, max - min))
                    .append("</text><line x1=\"").append(LEFT - 3).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(LEFT).append("\" y2=\"")
                    .append(f(y)).append("\" stroke=\"#333\"/>");
        }
        int labels = first.equals(last) ? 1 : 4;
        for (int i = 0; i < labels; i++) {
            LocalDate day = labels == 1 ? first : first.plusDays(Math.round((double) ChronoUnit.DAYS.between(first, last) * i / (labels - 1)));
            double x = scale.x(day);
            String anchor = labels == 1 ? "middle" : i == 0 ? "start" : i == labels - 1 ? "end" : "middle";
            svg.append("<text x=\"").append(f(x)).append("\" y=\"").append(HEIGHT - BOTTOM + 16).append("\" text-anchor=\"").append(anchor).append("\">")
                    .append(escape(dates.format(new org.ehrarchive.record.TimeValue(null, day.toString(), "DAY", null, null)))).append("</text>");
        }
        svg.append("</g>");
    }

    /** A point's marker, shaped by its flag; with its title unless {@code dates} is null. */
    private static void marker(StringBuilder svg, double x, double y, Point point, ClinicalDates dates) {
        String title = dates == null ? "" : "<title>" + escape(dates.format(point.entry().effective()) + ": " + point.number().toPlainString()
                + (point.unit() == null || point.unit().isEmpty() ? "" : " " + point.unit())
                + (point.flag().abnormal() ? ", " + point.flag().label() : "")) + "</title>";
        String code = point.flag().code();
        svg.append("<g class=\"point").append(point.flag().abnormal() ? " abnormal" : "").append("\">");
        if (point.flag().abnormal() && code.startsWith("H")) {
            svg.append("<path d=\"M").append(f(x)).append(' ').append(f(y - 6)).append(" L").append(f(x + 5.5)).append(' ').append(f(y + 4))
                    .append(" L").append(f(x - 5.5)).append(' ').append(f(y + 4)).append(" Z\" fill=\"#b00020\" stroke=\"#000\"/>");
        } else if (point.flag().abnormal() && code.startsWith("L")) {
            svg.append("<path d=\"M").append(f(x)).append(' ').append(f(y + 6)).append(" L").append(f(x + 5.5)).append(' ').append(f(y - 4))
                    .append(" L").append(f(x - 5.5)).append(' ').append(f(y - 4)).append(" Z\" fill=\"#b00020\" stroke=\"#000\"/>");
        } else if (point.flag().abnormal()) {
            svg.append("<path d=\"M").append(f(x)).append(' ').append(f(y - 6)).append(" L").append(f(x + 6)).append(' ').append(f(y)).append(" L")
                    .append(f(x)).append(' ').append(f(y + 6)).append(" L").append(f(x - 6)).append(' ').append(f(y)).append(" Z\" fill=\"#b00020\" stroke=\"#000\"/>");
        } else {
            svg.append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"3.5\" fill=\"#1f3a5f\"/>");
        }
        svg.append(title);
        if (point.flag().abnormal()) {
            svg.append("<text x=\"").append(f(x + 8)).append("\" y=\"").append(f(y + 4)).append("\" font-size=\"11\" font-weight=\"bold\">")
                    .append(escape(code)).append("</text>");
        }
        svg.append("</g>");
    }

    /** The range bound most points share (sources may give different ranges over the years; the band shows the usual one). */
    private static BigDecimal common(List<Point> points, boolean low) {
        java.util.Map<BigDecimal, Integer> counts = new java.util.HashMap<>();
        for (Point point : points) {
            BigDecimal bound = low ? point.rangeLow() : point.rangeHigh();
            if (bound != null) {
                counts.merge(bound.stripTrailingZeros(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).map(java.util.Map.Entry::getKey).orElse(null);
    }

    private record Scale(double min, double max, LocalDate first, long span) {
        double x(LocalDate day) {
            return LEFT + 8 + (WIDTH - LEFT - RIGHT - 16) * (double) ChronoUnit.DAYS.between(first, day) / span;
        }

        double y(double value) {
            return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - min) / (max - min));
        }
    }

    private static String tick(double value, double spread) {
        int decimals = spread >= 20 ? 0 : spread >= 2 ? 1 : 2;
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
    }

    /** A coordinate to one decimal ("12.3"), as String.format("%.1f") gives it, at a fraction of its cost (a plot has thousands). */
    static String f(double value) {
        long tenths = Math.round(value * 10);
        long whole = Math.abs(tenths) / 10;
        return (tenths < 0 ? "-" : "") + whole + "." + Math.abs(tenths) % 10;
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
