using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

/// <summary>
/// A volunteer's confirmed minutes in all, kept beside the records in the same save that adds them: rankings and stars read
/// one row a volunteer instead of summing every record.
/// </summary>
internal sealed class VolunteerTotal : IDistrictOwned
{
    private VolunteerTotal()
    {
    }

    public VolunteerTotal(Guid districtId, Guid volunteerId)
    {
        DistrictId = districtId;
        VolunteerId = volunteerId;
    }

    public Guid VolunteerId { get; private set; }
    public Guid DistrictId { get; private set; }
    public long Minutes { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    /// <summary>
    /// Adds the minutes of the records about to be saved through <paramref name="db"/> to their volunteers' totals. Call it
    /// before the save that adds them: the totals and the entries are written together or not at all.
    /// </summary>
    public static async Task CountAsync(AppDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var added = db.ChangeTracker.Entries<ServiceRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        foreach (var mine in added.GroupBy(r => (r.VolunteerId, r.DistrictId)))
        {
            var total = await db.Set<VolunteerTotal>().FirstOrDefaultAsync(t => t.VolunteerId == mine.Key.VolunteerId, ct);
            if (total is null)
            {
                total = new VolunteerTotal(mine.Key.DistrictId, mine.Key.VolunteerId);
                db.Add(total);
            }

            total.Minutes += mine.Sum(r => (long)r.Minutes);
            total.UpdatedAt = now;
            total.Version++;
        }
    }
}
