package cli

// HarvestWorkers is harvestWorkers, for the real-page benchmark's floor.
var HarvestWorkers = harvestWorkers
