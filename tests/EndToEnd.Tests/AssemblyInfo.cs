// Each test class runs a whole platform (PostgreSQL, five services, the gateway); two at once would only compete for
// the machine's cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
