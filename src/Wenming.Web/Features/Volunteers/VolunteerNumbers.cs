using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

/// <summary>The next volunteer number of a district (志愿者编号 = division code + a running count).</summary>
internal sealed class VolunteerNumberSequence
{
    private VolunteerNumberSequence()
    {
    }

    public VolunteerNumberSequence(Guid districtId, long next)
    {
        DistrictId = districtId;
        Next = next;
    }

    public Guid DistrictId { get; private set; }
    public long Next { get; private set; }
}

internal sealed class VolunteerNumberSequenceMapping : IEntityTypeConfiguration<VolunteerNumberSequence>
{
    public void Configure(EntityTypeBuilder<VolunteerNumberSequence> b)
    {
        b.ToTable("volunteer_number_sequences");
        b.HasKey(s => s.DistrictId);
    }
}

/// <summary>
/// Hands out volunteer numbers in blocks. On PostgreSQL a block is taken in a short transaction of its own, so a long
/// import and a quick approval never wait on each other or take the same number; SQLite has one writer at a time, so
/// there the caller's own transaction takes it.
/// </summary>
internal sealed class VolunteerNumbers(IServiceScopeFactory scopes)
{
    public async Task<(string Prefix, long First)> ReserveAsync(AppDbContext caller, Guid districtId, int count, CancellationToken ct)
    {
        if (!caller.Database.IsNpgsql())
        {
            // The update's write lock is held to the commit, so the read after it sees only this taker's increment.
            await using var local = await caller.BeginOrJoinTransactionAsync(ct);
            var taken = await TakeAsync(caller, districtId, count, ct);
            await local.CommitAsync(ct);
            return taken;
        }

        for (var attempt = 0; ; attempt++)
        {
            await using var own = scopes.CreateAsyncScope();
            own.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var db = own.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var tx = await db.BeginOrJoinTransactionAsync(ct);
            try
            {
                var taken = await TakeAsync(db, districtId, count, ct);
                await tx.CommitAsync(ct);
                return taken;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Two first takers raced to create the district's row; PostgreSQL has ended this transaction: start anew.
                await tx.RollbackAsync(ct);
            }
        }
    }

    public static string Format(string prefix, long number) => prefix + number.ToString("D7", CultureInfo.InvariantCulture);

    private static async Task<(string, long)> TakeAsync(AppDbContext db, Guid districtId, int count, CancellationToken ct)
    {
        var prefix = await db.Districts.IgnoreQueryFilters().Where(d => d.Id == districtId).Select(d => d.Code).SingleAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            // The row lock of this update orders concurrent takers.
            var updated = await db.Set<VolunteerNumberSequence>().Where(s => s.DistrictId == districtId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Next, x => x.Next + count), ct);
            if (updated == 1)
            {
                var next = await db.Set<VolunteerNumberSequence>().Where(s => s.DistrictId == districtId).Select(s => s.Next).SingleAsync(ct);
                return (prefix, next - count);
            }

            // First number of the district: continue after whatever numbers already exist (seeded or imported before).
            var last = await db.Set<Volunteer>().IgnoreQueryFilters().Where(v => v.DistrictId == districtId && v.Number != null).MaxAsync(v => v.Number, ct);
            var first = last is null ? 1 : long.Parse(last[prefix.Length..], CultureInfo.InvariantCulture) + 1;
            var sequence = new VolunteerNumberSequence(districtId, first + count);
            db.Add(sequence);
            try
            {
                await db.SaveChangesAsync(ct);
                return (prefix, first);
            }
            catch (DbUpdateException) when (attempt < 3 && !db.Database.IsNpgsql())
            {
                // Another taker created the row first: take from it. Only our row is let go; the caller's changes stay.
                db.Entry(sequence).State = EntityState.Detached;
            }
        }
    }
}
