#compdef outagecheck

_outagecheck_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _OUTAGECHECK_COMPLETE=complete_zsh outagecheck)
}

compdef _outagecheck_completion outagecheck

