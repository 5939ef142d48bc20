# vane.bash — bash completion for vane(1).
#
# Commands and each command's options come from the program itself
# (`vane help --names`, its own tables), so they never drift from it; the
# ids offered after --source, --rule and --channel (and as the SOURCE of
# preview, reextract and history, the RULE of test, the ID of channel
# test) come from the configuration in effect (`vane help --ids`, with the
# -c FILE already typed, else ./vane.lua). The vane called is the one
# being completed (COMP_WORDS[0]).

# Print the value of -c/--config among the words typed so far, if any.
_vane_config()
{
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -c | --config) printf '%s\n' "${COMP_WORDS[i + 1]}"; return ;;
        esac
    done
}

# The ids of one kind (source, rule, channel) of the configuration in effect.
_vane_ids()
{
    local kind=$1 config
    config=$(_vane_config)
    "${COMP_WORDS[0]}" help --ids ${config:+-c "$config"} 2>/dev/null |
        while read -r k id; do [[ $k == "$kind" ]] && printf '%s\n' "$id"; done
}

_vane()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local names valued="" cmd="" sub="" n_words=0 i w
    names=$("${COMP_WORDS[0]}" help --names 2>/dev/null) || return 0
    COMPREPLY=()

    # The options that take a value, and the command (and its first word).
    valued=$(awk '$1 == "option" && $5 == "value" { print $3; if ($4 != "-") print $4 }' <<<"$names")
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            grep -qxF -- "$w" <<<"$valued" && ((i++))
        elif [[ -z $cmd ]]; then
            cmd=$w
        elif [[ -z $sub ]]; then
            sub=$w
        else
            n_words=$((n_words + 1))
        fi
    done

    case "$prev" in
        --source) mapfile -t COMPREPLY < <(compgen -W "$(_vane_ids source)" -- "$cur"); return 0 ;;
        --rule) mapfile -t COMPREPLY < <(compgen -W "$(_vane_ids rule) '*'" -- "$cur"); return 0 ;;
        --channel) mapfile -t COMPREPLY < <(compgen -W "$(_vane_ids channel)" -- "$cur"); return 0 ;;
        --change) mapfile -t COMPREPLY < <(compgen -W "new changed removed" -- "$cur"); return 0 ;;
        -c | --config | --db | --file | --from | --to) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
    esac
    if grep -qxF -- "$prev" <<<"$valued"; then
        return 0   # a value of its own: a time, a duration, a text
    fi

    if [[ $cur == -* ]]; then
        local opts
        opts=$(awk -v c="$cmd" '$1 == "option" && ($2 == "*" || $2 == c) { print $3 }' <<<"$names")
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return 0
    fi
    if [[ -z $cmd ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(awk '$1 == "command" { print $2 }' <<<"$names") help" -- "$cur")
        return 0
    fi

    local words=""
    case "$cmd" in
        silence) [[ -z $sub ]] && words="add list remove" ;;
        outbox) [[ -z $sub ]] && words="retry" ;;
        flags) if [[ -z $sub ]]; then words="mark"; elif [[ $sub == mark && $n_words == 1 ]]; then words="useful noise"; fi ;;
        channel) if [[ -z $sub ]]; then words="test"; else words=$(_vane_ids channel); fi ;;
        preview | reextract | history) [[ -z $sub ]] && words=$(_vane_ids source) ;;
        test) words=$(_vane_ids rule) ;;
        help) words=$(awk '$1 == "command" { print $2 }' <<<"$names") ;;
        backup | eval) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
        init) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return 0 ;;
    esac
    [[ -n $words ]] && mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    return 0
}

complete -F _vane vane
