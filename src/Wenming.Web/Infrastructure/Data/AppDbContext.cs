using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// The one DbContext. Every <see cref="IDistrictOwned"/> row is filtered by the caller's district here, so no
/// query can forget it; subtree narrowing is <see cref="ScopeQueries.VisibleTo{T}"/>. Each provider has a
/// subclass that owns its migrations (see docs/adr/0002).
/// </summary>
internal abstract class AppDbContext : IdentityDbContext<AppUser, IdentityRole<Guid>, Guid>
{
    private DataScope _scope = new();

    protected AppDbContext(DbContextOptions options) : base(options)
    {
    }

    /// <summary>
    /// The caller's scope, which the query filters read. Instances are pooled: each request leases one and sets its own
    /// scope (<see cref="Database.Lease{TContext}"/>); a returned instance keeps an empty scope, which sees no district.
    /// </summary>
    public DataScope Scope
    {
        get => _scope;
        internal set => _scope = value;
    }

    /// <summary>
    /// Set while the request's writes must commit with what its caller writes last (the idempotency middleware's answer,
    /// docs/adr/0008): the first write begins a transaction that the caller commits. Per lease, as the scope is.
    /// </summary>
    public DeferredCommit? Deferred { get; internal set; }

    public override void Dispose()
    {
        _scope = new DataScope();
        Deferred = null;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        _scope = new DataScope();
        Deferred = null;
        return base.DisposeAsync();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) => Deferred is null
        ? base.SaveChanges(acceptAllChangesOnSuccess)
        : throw new InvalidOperationException("A request whose writes commit with its idempotency record saves with SaveChangesAsync.");

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (!await this.BeginDeferredAsync(cancellationToken))
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // The transaction began for this save: on a failure it is rolled back whole, as SaveChanges' own would be, so a
        // savepoint (a round trip on PostgreSQL) would buy nothing.
        Database.AutoSavepointsEnabled = false;
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch
        {
            // Nothing of the save stays, and the connection is fit for the next statement (PostgreSQL refuses any in a failed transaction).
            await Database.RollbackTransactionAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            Database.AutoSavepointsEnabled = true;
        }
    }

    // Read by the query filters: EF evaluates these per query, against this context instance.
    private bool ScopeIsSystem => _scope.IsSystem;
    private Guid ScopeDistrictId => _scope.DistrictId;

    public DbSet<District> Districts => Set<District>();
    public DbSet<Unit> Units => Set<Unit>();
    public DbSet<Platform> Platforms => Set<Platform>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<SmsCode> SmsCodes => Set<SmsCode>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly, t => !t.IsAbstract);

        builder.Entity<District>().HasQueryFilter(d => ScopeIsSystem || d.Id == ScopeDistrictId);
        builder.Entity<AuditEntry>().HasQueryFilter(a => ScopeIsSystem || a.DistrictId == ScopeDistrictId);
        foreach (var type in builder.Model.GetEntityTypes()
                     .Where(t => typeof(IDistrictOwned).IsAssignableFrom(t.ClrType) && t.BaseType is null).ToList())
        {
            typeof(AppDbContext).GetMethod(nameof(FilterByDistrict), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(type.ClrType).Invoke(this, [builder]);
        }

        ListComparers.UseForPrimitiveLists(builder.Model);
    }

    protected void FilterByDistrict<T>(ModelBuilder builder)
        where T : class, IDistrictOwned =>
        builder.Entity<T>().HasQueryFilter(e => ScopeIsSystem || e.DistrictId == ScopeDistrictId);
}
