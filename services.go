package paved

// Services are the platform's services together, as the API and the portal
// serve them: the same implementations behind both.
type Services struct {
	Teams        TeamService
	Users        UserService
	Apps         AppService
	Environments EnvironmentService
	Definitions  DefinitionService
	Deployments  DeploymentService
	Resources    ResourceService
	Audit        AuditService
	Targets      TargetService
	Policies     PolicyService
	Prices       PriceService
	Waivers      WaiverService
	Readiness    ReadinessService
	Settings     SettingsService
	Checks       CheckService
	Program      ProgramService
	Feedback     FeedbackService
	Templates    TemplateService
	Scaffolds    ScaffoldService
	DORA         DORAService
	Catalog      CatalogService
	Scorecards   ScorecardService
	Reports      ReportService
	Backup       BackupService
	// Events pushes deployment events as they happen; without it, event
	// streams poll Deployments.
	Events EventFollower
}
