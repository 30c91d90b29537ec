#!/usr/bin/env Rscript
# Reference values for tests/stats: computed with R's own functions (stats, survival), never with
# the toolkit. Run from the repository root:
#   Rscript tests/stats/reference/make_reference.R
# It rewrites tests/stats/reference/*.json. Tests never need R: they read the JSON.
# Numbers are written with 17 significant digits; NA/NaN as null, +-Inf as "Inf"/"-Inf".

suppressPackageStartupMessages(library(survival))

out_dir <- "tests/stats/reference"

# ---- a tiny JSON writer (jsonlite is not in Debian's r-base-core) ----------------------------
json_value <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)) && all(names(x) != "")) {
      items <- mapply(function(k, v) paste0('"', k, '": ', json_value(v)), names(x), x)
      return(paste0("{", paste(items, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, json_value, ""), collapse = ", "), "]"))
  }
  if (is.character(x)) {
    s <- paste0('"', gsub('"', '\\\\"', x), '"')
  } else if (is.logical(x)) {
    s <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    s <- ifelse(is.na(x), "null",
         ifelse(is.infinite(x), ifelse(x > 0, '"Inf"', '"-Inf"'), sprintf("%.17g", x)))
  }
  if (length(x) == 1 && is.null(attr(x, "as_array"))) s else paste0("[", paste(s, collapse = ", "), "]")
}
arr <- function(x) { attr(x, "as_array") <- TRUE; x }  # force a JSON array even for length 1
write_json <- function(cases, name) {
  text <- paste0("{\n",
    '"generated_by": "tests/stats/reference/make_reference.R",\n',
    '"r_version": "', R.version.string, '",\n',
    '"survival_version": "', as.character(packageVersion("survival")), '",\n',
    '"cases": [\n', paste(vapply(cases, json_value, ""), collapse = ",\n"), "\n]}\n")
  writeLines(text, file.path(out_dir, paste0(name, ".json")))
}
ci <- function(x) unname(as.numeric(x))

# ---- one proportion: Wilson (prop.test without correction), Clopper-Pearson (binom.test) ----
prop_cases <- list(
  c(0, 1), c(1, 1), c(0, 10), c(10, 10), c(3, 10), c(1, 100), c(81, 263), c(15, 148),
  c(0, 20), c(1, 29), c(29, 29), c(50000, 100000), c(123, 100000), c(0, 100000),
  c(100000, 100000), c(7, 13)
)
levels <- c(0.95, 0.90, 0.99)
one <- list()
for (kn in prop_cases) for (lv in levels) {
  w <- suppressWarnings(prop.test(kn[1], kn[2], correct = FALSE, conf.level = lv))
  b <- binom.test(kn[1], kn[2], conf.level = lv)
  one[[length(one) + 1]] <- list(k = kn[1], n = kn[2], level = lv,
    wilson = arr(ci(w$conf.int)), clopper_pearson = arr(ci(b$conf.int)))
}
write_json(one, "proportions")

# ---- Newcombe (1998) method 10, written independently from the paper's definition ----------
newcombe10 <- function(k1, n1, k2, n2, lv = 0.95) {
  w1 <- suppressWarnings(prop.test(k1, n1, correct = FALSE, conf.level = lv))$conf.int
  w2 <- suppressWarnings(prop.test(k2, n2, correct = FALSE, conf.level = lv))$conf.int
  p1 <- k1 / n1; p2 <- k2 / n2; d <- p1 - p2
  c(d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2), d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
# Published values (Newcombe 1998, Stat Med 17:873-890, Table II, method 10), 4 decimals.
published <- list(
  list(k1 = 56, n1 = 70, k2 = 48, n2 = 80, low = 0.0524, high = 0.3339),
  list(k1 = 9, n1 = 10, k2 = 3, n2 = 10, low = 0.1705, high = 0.8090),
  list(k1 = 6, n1 = 7, k2 = 2, n2 = 7, low = 0.0582, high = 0.8062),
  list(k1 = 5, n1 = 56, k2 = 0, n2 = 29, low = -0.0381, high = 0.1926),
  list(k1 = 0, n1 = 10, k2 = 0, n2 = 20, low = -0.1611, high = 0.2775),
  list(k1 = 0, n1 = 10, k2 = 0, n2 = 10, low = -0.2775, high = 0.2775),
  list(k1 = 10, n1 = 10, k2 = 0, n2 = 20, low = 0.6791, high = 1.0000),
  list(k1 = 10, n1 = 10, k2 = 0, n2 = 10, low = 0.6075, high = 1.0000)
)
nc <- list()
for (p in published) {
  r <- newcombe10(p$k1, p$n1, p$k2, p$n2)
  stopifnot(abs(r[1] - p$low) < 5e-5, abs(r[2] - p$high) < 5e-5)  # the R version agrees
  nc[[length(nc) + 1]] <- list(k1 = p$k1, n1 = p$n1, k2 = p$k2, n2 = p$n2, level = 0.95,
    ci = arr(r), published = arr(c(p$low, p$high)))
}
for (a in list(c(1, 1, 0, 1), c(0, 1, 1, 1), c(500, 100000, 430, 100000), c(3, 40, 12, 41),
               c(20, 20, 19, 20))) for (lv in c(0.9, 0.99)) {
  nc[[length(nc) + 1]] <- list(k1 = a[1], n1 = a[2], k2 = a[3], n2 = a[4], level = lv,
    ci = arr(newcombe10(a[1], a[2], a[3], a[4], lv)), published = NULL)
}
write_json(nc, "newcombe")

# ---- risk ratio (log method) and Woolf odds ratio, from their textbook formulas -------------
rr <- function(k1, n1, k2, n2, lv) {
  if (k1 == 0 || k2 == 0) { k1 <- k1 + .5; k2 <- k2 + .5; n1 <- n1 + 1; n2 <- n2 + 1 }
  l <- log((k1 / n1) / (k2 / n2)); se <- sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
  z <- qnorm(1 - (1 - lv) / 2)
  list(estimate = exp(l), ci = arr(exp(l + c(-1, 1) * z * se)), pvalue = 2 * pnorm(-abs(l / se)))
}
woolf <- function(t, lv) {
  if (any(t == 0)) t <- t + .5
  l <- log(t[1, 1] * t[2, 2] / (t[1, 2] * t[2, 1])); se <- sqrt(sum(1 / t))
  z <- qnorm(1 - (1 - lv) / 2)
  list(estimate = exp(l), ci = arr(exp(l + c(-1, 1) * z * se)), pvalue = 2 * pnorm(-abs(l / se)))
}
tables <- list(
  matrix(c(7, 3, 2, 8), 2), matrix(c(10, 3, 20, 40), 2), matrix(c(0, 5, 10, 5), 2),
  matrix(c(12, 0, 3, 15), 2), matrix(c(1, 1, 1, 1), 2), matrix(c(3, 1, 1, 3), 2),
  matrix(c(50, 30, 950, 970), 2), matrix(c(5000, 4500, 45000, 45500), 2),
  matrix(c(0, 0, 10, 10), 2), matrix(c(10, 10, 0, 0), 2), matrix(c(1, 0, 0, 1), 2),
  matrix(c(2, 7, 8, 2), 2), matrix(c(0, 0, 5, 0), 2)
)
# fisher.test finds its conditional MLE and interval with uniroot's default tolerance
# (~1.2e-4 on the root), too loose for a 1e-6 comparison. This restates the same definitions
# (noncentral hypergeometric mean = x; tail probability = alpha) and solves them on the log
# odds-ratio scale to 1e-13.
fisher_precise <- function(t, alternative, conf.level = 0.95) {
  x <- t[1, 1]; m <- sum(t[, 1]); n <- sum(t[, 2]); k <- sum(t[1, ])
  lo <- max(0, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dens <- function(lpsi) { d <- logdc + lpsi * support; d <- exp(d - max(d)); d / sum(d) }
  solve <- function(f) uniroot(f, c(-60, 60), tol = 1e-13, extendInt = "yes")$root
  est <- if (x == lo) 0 else if (x == hi) Inf else
    exp(solve(function(l) sum(support * dens(l)) - x))
  upper <- function(a) if (x == hi) Inf else exp(solve(function(l) sum(dens(l)[support <= x]) - a))
  lower <- function(a) if (x == lo) 0 else exp(solve(function(l) sum(dens(l)[support >= x]) - a))
  alpha <- 1 - conf.level
  ci <- switch(alternative, less = c(0, upper(alpha)), greater = c(lower(alpha), Inf),
               two.sided = c(lower(alpha / 2), upper(alpha / 2)))
  list(estimate = est, ci = arr(ci))
}

tb <- list()
for (t in tables) {
  k1 <- t[1, 1]; n1 <- sum(t[1, ]); k2 <- t[2, 1]; n2 <- sum(t[2, ])
  case <- list(table = list(arr(t[1, ]), arr(t[2, ])))
  for (lv in c(0.95, 0.9)) {
    key <- if (lv == 0.95) "" else "_90"
    if (n1 > 0 && n2 > 0) case[[paste0("risk_ratio", key)]] <- rr(k1, n1, k2, n2, lv)
    if (all(rowSums(t) > 0) && all(colSums(t) > 0)) case[[paste0("odds_ratio", key)]] <- woolf(t, lv)
  }
  for (alt in c("two.sided", "less", "greater")) {
    f <- fisher.test(t, alternative = alt)
    case[[paste0("fisher_", alt)]] <- list(pvalue = f$p.value, estimate = ci(f$estimate),
      ci = arr(ci(f$conf.int)))
    if (sum(t) > 0 && max(0, sum(t[1, ]) - sum(t[, 2])) < min(sum(t[1, ]), sum(t[, 1]))) {
      precise <- fisher_precise(t, alt)
      stopifnot(abs(log(precise$estimate + 1e-300) - log(ci(f$estimate) + 1e-300)) < 1e-2 ||
                is.infinite(precise$estimate))
      case[[paste0("fisher_precise_", alt)]] <- precise
    }
  }
  tb[[length(tb) + 1]] <- case
}
write_json(tb, "tables")

# ---- Cochran-Mantel-Haenszel (mantelhaen.test on strata with >= 2 observations) ------------
strata_sets <- list(
  # Agresti (2002) style example with three strata
  list(matrix(c(2, 3, 5, 6), 2), matrix(c(3, 2, 4, 7), 2), matrix(c(5, 1, 2, 8), 2)),
  list(matrix(c(0, 5, 10, 5), 2), matrix(c(2, 6, 8, 4), 2)),
  list(matrix(c(20, 10, 30, 40), 2), matrix(c(15, 12, 35, 38), 2), matrix(c(8, 2, 12, 18), 2),
       matrix(c(4, 4, 6, 6), 2)),
  list(matrix(c(1, 0, 0, 1), 2), matrix(c(1, 0, 0, 1), 2), matrix(c(0, 1, 1, 0), 2),
       matrix(c(1, 1, 0, 0), 2)),
  list(matrix(c(3, 3, 3, 3), 2), matrix(c(2, 2, 2, 2), 2)),
  # many small strata, like matched scenario cells
  lapply(1:60, function(i) matrix(c(i %% 3, (i + 1) %% 2, 2 - i %% 3, 1 - (i + 1) %% 2) + 1, 2))
)
cm <- list()
for (s in strata_sets) {
  arr3 <- array(unlist(s), dim = c(2, 2, length(s)))
  for (corr in c(TRUE, FALSE)) {
    r <- mantelhaen.test(arr3, correct = corr)
    cm[[length(cm) + 1]] <- list(
      tables = lapply(s, function(t) list(arr(t[1, ]), arr(t[2, ]))),
      correction = corr, statistic = ci(r$statistic), pvalue = r$p.value,
      estimate = ci(r$estimate), ci = arr(ci(r$conf.int)))
  }
}
write_json(cm, "cmh")

# ---- McNemar: mcnemar.test (chi-square) and binom.test on discordant pairs (exact) ----------
mc <- list()
for (bc in list(c(10, 3), c(3, 10), c(0, 5), c(5, 0), c(1, 0), c(12, 12), c(40, 25),
                c(100, 60), c(2, 1), c(0, 1), c(30000, 29500), c(24, 0))) {
  m <- matrix(c(50, bc[2], bc[1], 40), 2)  # [[a, b], [c, d]]: b = m[1, 2], c = m[2, 1]
  r1 <- mcnemar.test(m, correct = TRUE)
  r0 <- mcnemar.test(m, correct = FALSE)
  e <- binom.test(bc[1], bc[1] + bc[2], 0.5)
  mc[[length(mc) + 1]] <- list(b = bc[1], c = bc[2],
    chisq_corrected = list(statistic = ci(r1$statistic), pvalue = r1$p.value),
    chisq_uncorrected = list(statistic = ci(r0$statistic), pvalue = r0$p.value),
    exact = list(pvalue = e$p.value, ci = arr(ci(e$conf.int))))
}
write_json(mc, "mcnemar")

# ---- p.adjust -------------------------------------------------------------------------------
set.seed(8)
pv_sets <- list(
  c(0.01, 0.02, 0.03, 0.04, 0.05), c(0.5, 0.5, 0.5, 0.5), c(0.001), c(0, 1, 0.2, 0.04),
  c(0.04, 0.01, 0.03, 0.01, 0.9, 0.2), runif(200)^3, c(1, 1, 1), c(0.049, 0.051)
)
pa <- lapply(pv_sets, function(p) list(p = arr(p), holm = arr(p.adjust(p, "holm")),
                                       bh = arr(p.adjust(p, "BH"))))
write_json(pa, "padjust")

# ---- survival: survfit(conf.type = "log-log") with quantile(), survdiff -------------------
km_sets <- list(
  list(t = c(1, 2, 2, 3, 4, 5), e = c(1, 0, 1, 1, 0, 1)),
  list(t = c(6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35),
       e = c(1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0)),  # Freireich 6-MP
  list(t = c(1, 2, 3, 4), e = c(1, 1, 1, 1)),          # median exactly at a flat 0.5: midpoint
  list(t = c(2, 2, 2, 5, 5, 8), e = c(0, 1, 1, 1, 0, 0)),
  list(t = c(3, 3, 3), e = c(0, 0, 0)),                 # no events
  list(t = c(4), e = c(1)),                             # n = 1
  list(t = c(0, 1, 1, 2, 3), e = c(0, 1, 1, 0, 1)),
  list(t = c(1, 2, 3, 4, 5, 6), e = c(0, 0, 1, 1, 1, 1))
)
set.seed(11)
big_t <- rgeom(1000, 0.2) + 1; big_e <- rbinom(1000, 1, 0.7)
km_sets[[length(km_sets) + 1]] <- list(t = big_t, e = big_e)
km <- list()
for (d in km_sets) {
  f <- survfit(Surv(d$t, d$e) ~ 1, conf.type = "log-log")
  q <- quantile(f, 0.5)
  km[[length(km) + 1]] <- list(times = arr(d$t), events = arr(d$e), time = arr(f$time),
    n_risk = arr(f$n.risk), n_event = arr(f$n.event), surv = arr(f$surv),
    std_err = arr(f$std.err), lower = arr(f$lower), upper = arr(f$upper),
    median = ci(q$quantile), median_low = ci(q$lower), median_high = ci(q$upper))
}
write_json(km, "kaplan_meier")

lr_sets <- list(
  list(t = c(1, 2, 3, 4, 5, 6, 7, 8), e = c(1, 1, 0, 1, 1, 1, 0, 1), g = c(0, 0, 0, 0, 1, 1, 1, 1)),
  list(t = c(6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35,
             1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23),
       e = c(1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, rep(1, 21)),
       g = c(rep(1, 21), rep(2, 21))),                       # Freireich: 6-MP vs placebo
  list(t = c(2, 2, 3, 3, 4, 4, 5, 5, 6, 6), e = c(1, 1, 1, 1, 0, 1, 1, 0, 1, 1),
       g = c(1, 2, 3, 1, 2, 3, 1, 2, 3, 1))                  # three groups, ties
)
set.seed(12)
lr_sets[[length(lr_sets) + 1]] <- list(t = rgeom(2000, 0.15) + 1, e = rbinom(2000, 1, 0.8),
                                       g = rep(c("a", "b"), 1000))
# About 100,000 observations, given compactly as counts of (time, event, group) so that the
# JSON stays small; the tests expand them the same way.
grid <- expand.grid(t = 1:15, e = 0:1, g = c("a", "b"), stringsAsFactors = FALSE)
grid$count <- 1400 + (grid$t * 37 + grid$e * 113 + (grid$g == "b") * 59 + grid$t^2) %% 500
big <- list(t = rep(grid$t, grid$count), e = rep(grid$e, grid$count), g = rep(grid$g, grid$count))
fit <- survfit(Surv(big$t, big$e) ~ 1, conf.type = "log-log")
q <- quantile(fit, 0.5)
sd_big <- survdiff(Surv(big$t, big$e) ~ big$g)
big_case <- list(counts = lapply(seq_len(nrow(grid)), function(i)
    list(t = grid$t[i], e = grid$e[i], g = grid$g[i], count = grid$count[i])),
  n = length(big$t), time = arr(fit$time), n_risk = arr(fit$n.risk), surv = arr(fit$surv),
  std_err = arr(fit$std.err), lower = arr(fit$lower), upper = arr(fit$upper),
  median = ci(q$quantile), median_low = ci(q$lower), median_high = ci(q$upper),
  logrank_statistic = sd_big$chisq,
  logrank_pvalue = pchisq(sd_big$chisq, 1, lower.tail = FALSE),
  observed = arr(as.numeric(sd_big$obs)), expected = arr(as.numeric(sd_big$exp)))
write_json(list(big_case), "survival_100k")

lr <- list()
for (d in lr_sets) {
  r <- survdiff(Surv(d$t, d$e) ~ d$g)
  lr[[length(lr) + 1]] <- list(times = arr(d$t), events = arr(d$e), groups = arr(as.character(d$g)),
    statistic = r$chisq, df = length(r$n) - 1,
    pvalue = pchisq(r$chisq, length(r$n) - 1, lower.tail = FALSE),
    observed = arr(as.numeric(r$obs)), expected = arr(as.numeric(r$exp)))
}
write_json(lr, "logrank")

# ---- power.prop.test (tight tolerance so the reference n is exact to ~1e-10) ---------------
pw <- list()
for (a in list(c(0.5, 0.75), c(0.1, 0.05), c(0.01, 0.02), c(0.3, 0.35), c(0.9, 0.6))) {
  for (alpha in c(0.05, 0.01)) {
    r <- power.prop.test(p1 = a[1], p2 = a[2], sig.level = alpha, power = 0.8, tol = 1e-12)
    s <- power.prop.test(p1 = a[1], p2 = a[2], sig.level = alpha, n = 100)
    pw[[length(pw) + 1]] <- list(p1 = a[1], p2 = a[2], alpha = alpha,
      n_for_power_0_8 = r$n, power_at_n_100 = s$power)
  }
}
write_json(pw, "power")
cat("reference JSON written to", out_dir, "\n")
