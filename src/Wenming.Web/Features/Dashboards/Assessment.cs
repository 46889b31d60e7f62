using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Dashboards;

/// <summary>
/// A district's yearly assessment (督导考核): its indicators, each a dashboard figure with a target or a score the center
/// gives by hand with evidence, and their weights (the points each is worth).
/// </summary>
internal sealed class AssessmentIndicator : IDistrictOwned
{
    private AssessmentIndicator()
    {
    }

    public AssessmentIndicator(Guid districtId, int year, string name, string? figure, decimal weight, decimal? target, int sortOrder)
    {
        Id = Ids.New();
        DistrictId = districtId;
        Year = year;
        Name = name;
        Figure = figure;
        Weight = weight;
        Target = target;
        SortOrder = sortOrder;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public int Year { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>The dashboard figure measured (<see cref="Figures.All"/>), or null for a score given by hand.</summary>
    public string? Figure { get; private set; }

    /// <summary>The points the indicator is worth.</summary>
    public decimal Weight { get; private set; }

    /// <summary>The value that earns the full weight (for times: the value at or under which it does).</summary>
    public decimal? Target { get; private set; }

    public int SortOrder { get; private set; }

    /// <summary>
    /// The points a measured value earns: in proportion to the target, at most the weight; for a figure where less is better,
    /// the full weight at or under the target and in proportion above it.
    /// </summary>
    public decimal Score(decimal value, bool lowerIsBetter)
    {
        if (Target is not { } target || target <= 0)
        {
            return 0;
        }

        var share = lowerIsBetter ? value <= target ? 1 : target / value : Math.Min(1, value / target);
        return Math.Round(Weight * share, 1, MidpointRounding.AwayFromZero);
    }
}

/// <summary>A score the center gives a unit on a manual indicator, with its reason; the newest counts, earlier ones stay on record.</summary>
internal sealed class ManualScore : IDistrictOwned
{
    private ManualScore()
    {
    }

    public ManualScore(Guid districtId, Guid indicatorId, Guid unitId, decimal score, string reason, Guid byId, string byName, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        IndicatorId = indicatorId;
        UnitId = unitId;
        Score = score;
        Reason = reason;
        ById = byId;
        ByName = byName.Length > 50 ? byName[..50] : byName;
        At = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid IndicatorId { get; private set; }
    public Guid UnitId { get; private set; }
    public decimal Score { get; private set; }
    public string Reason { get; private set; } = "";
    public Guid ById { get; private set; }
    public string ByName { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
}

internal sealed class AssessmentMappings : IEntityTypeConfiguration<AssessmentIndicator>, IEntityTypeConfiguration<ManualScore>
{
    public void Configure(EntityTypeBuilder<AssessmentIndicator> b)
    {
        b.ToTable("assessment_indicators");
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.Name).HasMaxLength(50);
        b.Property(i => i.Figure).HasMaxLength(40);
        b.Property(i => i.Weight).HasPrecision(9, 2);
        b.Property(i => i.Target).HasPrecision(12, 2);
        b.HasIndex(i => new { i.DistrictId, i.Year, i.Name }).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(i => i.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ManualScore> b)
    {
        b.ToTable("assessment_manual_scores");
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.Score).HasPrecision(9, 2);
        b.Property(m => m.Reason).HasMaxLength(500);
        b.Property(m => m.ByName).HasMaxLength(50);
        b.HasIndex(m => new { m.IndicatorId, m.UnitId, m.At });
        b.HasOne<AssessmentIndicator>().WithMany().HasForeignKey(m => m.IndicatorId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Unit>().WithMany().HasForeignKey(m => m.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed record IndicatorInput(string? Name, string? Figure, decimal? Weight, decimal? Target);

internal sealed record IndicatorView(Guid Id, string Name, string? Figure, string? FigureName, string? Measure, decimal Weight, decimal? Target);

internal sealed record ManualScoreInput(Guid? IndicatorId, Guid? UnitId, decimal? Score, string? Reason);

/// <param name="Value">The figure measured (null for a manual indicator).</param>
/// <param name="Note">For a manual score: who gave it and why.</param>
internal sealed record IndicatorScore(Guid IndicatorId, decimal? Value, decimal Score, string? Note);

internal sealed record AssessedUnit(int Rank, Guid UnitId, string Unit, string Parent, decimal Total, IReadOnlyList<IndicatorScore> Scores);

internal sealed record AssessmentView(int Year, Guid UnitId, string Unit, int Levels, decimal MaxTotal, IReadOnlyList<IndicatorView> Indicators,
    IReadOnlyList<AssessedUnit> Units);

/// <summary>
/// 督导考核: the center defines the year's indicators; every institute (levels=1) or station (levels=2) below the caller's
/// unit is scored on them over the year (to today for the current one) and ranked, with the breakdown; the center adds
/// manual scores with reasons; the result exports to Excel in the layout district offices keep (序号, 单位, 上级, each
/// indicator, 总分, 名次).
/// </summary>
internal sealed class Assessments(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public async Task<IReadOnlyList<IndicatorView>> IndicatorsAsync(int year, CancellationToken ct) =>
        [.. (await db.Set<AssessmentIndicator>().AsNoTracking().Where(i => i.Year == year).OrderBy(i => i.SortOrder).ToListAsync(ct)).Select(View)];

    private static IndicatorView View(AssessmentIndicator i)
    {
        var figure = i.Figure is null ? null : Figures.Find(i.Figure);
        return new IndicatorView(i.Id, i.Name, i.Figure, figure?.Name, figure?.Measure, i.Weight, i.Target);
    }

    /// <summary>The center writes the year's indicators in order, until the first manual score is given.</summary>
    public async Task<IReadOnlyList<IndicatorView>> SaveAsync(int year, IReadOnlyList<IndicatorInput> input, CancellationToken ct)
    {
        if (!Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException("只有中心管理员可以制定考核指标");
        }

        var errors = new Dictionary<string, string[]>();
        if (year is < 2000 or > 2100)
        {
            errors["year"] = ["年度有误"];
        }

        if (input.Count is 0 or > 30)
        {
            errors["indicators"] = ["考核指标为 1 到 30 项"];
        }

        var names = new HashSet<string>();
        foreach (var x in input)
        {
            var name = x?.Name?.Trim() ?? "";
            if (name.Length is < 2 or > 50 || !names.Add(name))
            {
                errors["name"] = ["每项指标名称 2 到 50 个字，且不重复"];
            }

            if (x?.Figure is { } f && Figures.Find(f) is not { PeriodBound: true })
            {
                errors["figure"] = [Figures.Find(f) is null ? "没有这个指标：" + f : $"“{Figures.Find(f)!.Name}”是当前状态，不能按年度考核"];
            }

            if (x?.Weight is not (> 0 and <= 100))
            {
                errors["weight"] = ["每项分值大于 0、不超过 100 分"];
            }

            if (x?.Figure is not null && x.Target is not > 0)
            {
                errors["target"] = ["按数据考核的指标需要大于 0 的目标值"];
            }
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var current = await db.Set<AssessmentIndicator>().Where(i => i.Year == year).ToListAsync(ct);
        var ids = current.Select(i => i.Id).ToList();
        if (await db.Set<ManualScore>().AnyAsync(m => ids.Contains(m.IndicatorId), ct))
        {
            throw new DomainException("assessment-scored", "本年度已有手工评分，考核指标不能再修改", 409);
        }

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        db.RemoveRange(current);
        await db.SaveChangesAsync(ct);
        for (var n = 0; n < input.Count; n++)
        {
            var x = input[n];
            db.Add(new AssessmentIndicator(Scope.DistrictId, year, x.Name!.Trim(), x.Figure, x.Weight!.Value, x.Figure is null ? null : x.Target, n + 1));
        }

        audit.Add("assessment.indicators-changed", "assessment", year.ToString(System.Globalization.CultureInfo.InvariantCulture), null, $"{input.Count} indicators");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await IndicatorsAsync(year, ct);
    }

    /// <summary>The center scores a unit on a manual indicator, with the reason (and the evidence in it).</summary>
    public async Task<AssessmentView> ScoreAsync(int year, ManualScoreInput input, CancellationToken ct)
    {
        if (!Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException("只有中心管理员可以评分");
        }

        var indicator = await db.Set<AssessmentIndicator>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == input.IndicatorId && i.Year == year && i.Figure == null, ct)
                        ?? throw new InputException(new Dictionary<string, string[]> { ["indicatorId"] = ["请选择本年度的一项手工评分指标"] });
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == input.UnitId, ct) ?? throw new NotVisibleException();
        var reason = input.Reason?.Trim() ?? "";
        if (input.Score is not { } score || score < 0 || score > indicator.Weight || reason.Length is < 4 or > 500)
        {
            throw new InputException(new Dictionary<string, string[]> { ["score"] = [$"请填写 0 到 {indicator.Weight:0.#} 分，并写明理由和依据（4 到 500 字）"] });
        }

        db.Add(new ManualScore(Scope.DistrictId, indicator.Id, unit.Id, score, reason, Scope.UserId!.Value, Scope.DisplayName ?? "", clock.GetUtcNow()));
        audit.Add("assessment.scored", "unit", unit.Id.ToString(), unit.Path, $"{indicator.Name}: {score} {reason}");
        await db.SaveChangesAsync(ct);
        var root = await db.Units.Where(u => u.ParentId == null).Select(u => u.Depth).FirstOrDefaultAsync(ct);
        return await ResultAsync(year, null, unit.Depth - root, ct);
    }

    /// <summary>Every unit one or two levels below the caller's unit (or <paramref name="unitId"/>), scored and ranked for the year.</summary>
    public async Task<AssessmentView> ResultAsync(int year, Guid? unitId, int? levels, CancellationToken ct)
    {
        if (year is < 2000 or > 2100)
        {
            throw new InputException(new Dictionary<string, string[]> { ["year"] = ["年度应在 2000 到 2100 之间"] });
        }

        var id = unitId ?? Scope.Grants.FirstOrDefault(g => g.Role is Role.Admin or Role.Leader)?.UnitId ?? throw new AccessDeniedException("只有管理员和领导可以查看考核结果");
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (unit is null || !Scope.CanRead(unit.Path))
        {
            throw new NotVisibleException();
        }

        if (!Scope.CanOversee(unit.Path))
        {
            throw new AccessDeniedException("只有管理员和领导可以查看考核结果");
        }

        var depth = levels is 2 ? 2 : 1;
        var indicators = await db.Set<AssessmentIndicator>().AsNoTracking().Where(i => i.Year == year).OrderBy(i => i.SortOrder).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var today = DistrictTime.Today(now);
        var last = year == today.Year ? today : new DateOnly(year, 12, 31);
        var scope = new FigureScope(db, unit.Path, DistrictTime.StartOf(new DateOnly(year, 1, 1)), DistrictTime.StartOf(last.AddDays(1)), now, depth);
        var measured = new Dictionary<Guid, (FigureValues Values, bool LowerIsBetter, bool Undefined)>();
        foreach (var i in indicators.Where(i => i.Figure is not null))
        {
            var figure = Figures.Find(i.Figure!)!;
            measured[i.Id] = (await figure.Compute(scope, ct), figure.LowerIsBetter, figure.Undefined);
        }

        var ids = indicators.Select(i => i.Id).ToList();
        var manual = (await db.Set<ManualScore>().AsNoTracking().Where(m => ids.Contains(m.IndicatorId)).ToListAsync(ct))
            .GroupBy(m => (m.IndicatorId, m.UnitId)).ToDictionary(g => g.Key, g => g.OrderByDescending(m => m.At).ThenByDescending(m => m.Id).First());
        var target = unit.Depth + depth;
        var units = await db.Units.AsNoTracking()
            .Where(u => u.Path.StartsWith(unit.Path) && u.Depth == target && u.ClosedAt == null && u.Kind != UnitKind.Grid && u.Kind != UnitKind.Building)
            .Select(u => new { u.Id, u.Name, u.Path, u.ParentId }).ToListAsync(ct);
        var parentIds = units.Select(u => u.ParentId).Distinct().ToList();
        var parents = await db.Units.AsNoTracking().Where(u => parentIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var scored = units.Select(u =>
        {
            var scores = indicators.Select(i =>
            {
                if (measured.TryGetValue(i.Id, out var m))
                {
                    // A time or a rating the unit has no orders for scores nothing (it is not a time of zero).
                    return m.Values.Children.TryGetValue(u.Path, out var value) || !m.Undefined
                        ? new IndicatorScore(i.Id, value, i.Score(value, m.LowerIsBetter), null)
                        : new IndicatorScore(i.Id, null, 0, null);
                }

                return manual.TryGetValue((i.Id, u.Id), out var s)
                    ? new IndicatorScore(i.Id, null, s.Score, $"{s.ByName}：{s.Reason}")
                    : new IndicatorScore(i.Id, null, 0, null);
            }).ToList();
            return (u.Id, u.Name, Parent: u.ParentId is { } p ? parents.GetValueOrDefault(p, "") : "", Total: scores.Sum(s => s.Score), scores);
        }).OrderByDescending(x => x.Total).ThenBy(x => x.Name, StringComparer.Ordinal).ToList();
        var rows = new List<AssessedUnit>();
        for (var n = 0; n < scored.Count; n++)
        {
            var rank = n > 0 && scored[n].Total == scored[n - 1].Total ? rows[n - 1].Rank : n + 1;
            rows.Add(new AssessedUnit(rank, scored[n].Id, scored[n].Name, scored[n].Parent, scored[n].Total, scored[n].scores));
        }

        return new AssessmentView(year, unit.Id, unit.Name, depth, indicators.Sum(i => i.Weight), [.. indicators.Select(View)], rows);
    }

    /// <summary>The result as .xlsx: 序号, 单位, 上级单位, each indicator's points, 总分, 名次.</summary>
    public async Task<Stream> ExportAsync(int year, Guid? unitId, int? levels, CancellationToken ct)
    {
        var view = await ResultAsync(year, unitId, levels, ct);
        audit.Add("assessment.exported", "unit", view.UnitId.ToString(), null, $"{year}");
        await db.SaveChangesAsync(ct);
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, view.Units.Select((u, n) =>
        {
            var row = new Dictionary<string, object?> { ["序号"] = n + 1, ["单位"] = u.Unit, ["上级单位"] = u.Parent };
            foreach (var (indicator, score) in view.Indicators.Zip(u.Scores))
            {
                row[$"{indicator.Name}（{indicator.Weight:0.#}分）"] = score.Score;
            }

            row["总分"] = u.Total;
            row["名次"] = u.Rank;
            return (IReadOnlyDictionary<string, object?>)row;
        }), $"{year}年度考核", ct);
        stream.Position = 0;
        return stream;
    }
}

internal static class AssessmentEndpoints
{
    public static IEndpointRouteBuilder MapAssessments(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/assessments/{year:int}").WithTags("Dashboards").RequireAuthorization();
        g.MapGet("/indicators", async (int year, Assessments a, CancellationToken ct) => TypedResults.Ok(await a.IndicatorsAsync(year, ct)))
            .WithSummary("The year's assessment indicators: each a dashboard figure with its target, or a manual score; and its weight");
        g.MapPut("/indicators", async (int year, List<IndicatorInput> input, Assessments a, CancellationToken ct) => TypedResults.Ok(await a.SaveAsync(year, input, ct)))
            .WithSummary("Write the year's indicators in order (center admins; until the first manual score)");
        g.MapGet("/", async (int year, Assessments a, CancellationToken ct, Guid? unit = null, int? levels = null) =>
                TypedResults.Ok(await a.ResultAsync(year, unit, levels, ct)))
            .WithSummary("Every institute (levels=1) or station (levels=2) below your unit scored on the year's indicators, ranked, with the breakdown (admins and leaders)");
        g.MapPost("/scores", async (int year, ManualScoreInput input, Assessments a, CancellationToken ct) => TypedResults.Ok(await a.ScoreAsync(year, input, ct)))
            .WithSummary("Give a unit its score on a manual indicator with the reason and evidence (center admins); the newest score counts");
        g.MapGet("/export", async (int year, Assessments a, CancellationToken ct, Guid? unit = null, int? levels = null) =>
                TypedResults.File(await a.ExportAsync(year, unit, levels, ct), Organization.OrganizationEndpoints.XlsxType, $"assessment-{year}.xlsx"))
            .Produces(200, contentType: Organization.OrganizationEndpoints.XlsxType)
            .WithSummary("The year's result as .xlsx: 序号, 单位, 上级单位, each indicator, 总分, 名次 (admins and leaders)");
        return app;
    }
}
