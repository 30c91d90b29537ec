from audit.cli.main import cli

cli()
